"""Managers attach, replace, retitle and remove files of items created in the hub (through hub.files);
content-loaded items keep the files of content/library; downloads obey the item's tier rule."""
from __future__ import annotations

import io
from datetime import date

import pytest
from sqlalchemy import func, select

from hub import files
from hub.extensions import db
from hub.library import services
from hub.library.models import HUB, LibraryFile, LibraryItem
from tests.files import samples

from .conftest import url


@pytest.fixture
def hub_item(app, world):
    item = services.save_item(None, services.ItemInput(
        slug="partner-webinar-kit", kind="demo_kit", min_tier="silver", title_ru="Вебинар", title_en="Webinar kit",
        summary_ru="Кратко.", summary_en="Briefly.", body_ru="Текст", body_en="Text",
        tags={"industry": ["retail"], "partner_type": ["integrator"], "product": ["crm"], "language": ["ru"]},
        published=date(2026, 1, 10)), world.manager)
    assert item.source == HUB
    return item


def upload(data: bytes, name: str, prefix: str = "new", **fields):
    form = {f"{prefix}-file": (io.BytesIO(data), name), f"{prefix}-title_ru": "Презентация",
            f"{prefix}-title_en": "Deck"}
    form.update({f"{prefix}-{k}": v for k, v in fields.items()})
    return form


def file_count() -> int:
    return db.session.scalar(select(func.count()).select_from(LibraryFile))


@pytest.mark.parametrize("htmx", [False, True])
def test_a_manager_adds_a_file_that_silver_partners_download(client, login, world, hub_item, htmx):
    login(world.manager)
    page = client.get(url("library.files_page", slug=hub_item.slug)).get_data(as_text=True)
    assert 'enctype="multipart/form-data"' in page and "No files yet." in page
    headers = {"HX-Request": "true"} if htmx else {}
    response = client.post(url("library.files_page", slug=hub_item.slug), headers=headers,
                           data=upload(samples.pdf(), "Программа вебинара.pdf"), content_type="multipart/form-data")
    target = url("library.files_page", slug=hub_item.slug)
    if htmx:
        assert response.status_code == 200 and response.headers["HX-Location"] == target
    else:
        assert response.status_code == 303 and response.headers["Location"].endswith(target)
    row = db.session.scalar(select(LibraryFile))
    assert (row.name, row.content_type, row.title_en) == ("Программа вебинара.pdf", "application/pdf", "Deck")
    assert files.path_of(row.sha256).read_bytes() == samples.pdf()

    world.org_a.tier = "silver"
    db.session.commit()
    login(world.a_member)
    show = client.get(url("library.show", slug=hub_item.slug)).get_data(as_text=True)
    assert url("library.download", slug=hub_item.slug, name=row.name) in show
    got = client.get(url("library.download", slug=hub_item.slug, name=row.name))
    assert got.status_code == 200 and got.data == samples.pdf()
    assert got.headers["Content-Type"] == "application/pdf"
    assert got.headers["X-Content-Type-Options"] == "nosniff"
    assert got.headers["Content-Disposition"] == (
        "attachment; filename=\"download.pdf\"; filename*=UTF-8''%D0%9F%D1%80%D0%BE%D0%B3%D1%80%D0%B0%D0%BC%D0%BC%D0%B0"
        "%20%D0%B2%D0%B5%D0%B1%D0%B8%D0%BD%D0%B0%D1%80%D0%B0.pdf")
    got.close()
    # the same file through the storage module's own address, under the library's rule
    same = client.get(url("files.download", owner_name="library", key=f"{hub_item.slug}/{row.name}"))
    assert same.status_code == 200 and same.data == samples.pdf()
    same.close()


def test_a_bronze_partner_and_another_path_get_404(client, login, world, hub_item):
    stored = services.add_file(hub_item, _storage(samples.pdf(), "a.pdf"), services.FileInput("А", "A"), world.manager)
    login(world.b_member)  # Bronze: the item is for Silver and up
    assert client.get(url("library.download", slug=hub_item.slug, name=stored.name)).status_code == 404
    assert client.get(url("files.download", owner_name="library", key=f"{hub_item.slug}/{stored.name}")).status_code == 404
    assert client.get(url("files.download", owner_name="nobody", key="x")).status_code == 404
    assert client.get(url("files.download", owner_name="library", key=f"{hub_item.slug}/../{stored.name}")).status_code == 404


def test_an_anonymous_viewer_is_sent_to_log_in(client, world, hub_item):
    stored = services.add_file(hub_item, _storage(samples.pdf(), "a.pdf"), services.FileInput("А", "A"), world.manager)
    response = client.get(url("library.download", slug=hub_item.slug, name=stored.name))
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    response = client.get(url("files.download", owner_name="library", key=f"{hub_item.slug}/{stored.name}"))
    assert response.status_code == 302 and "/login" in response.headers["Location"]


@pytest.mark.parametrize("data, name, message", [
    (samples.exe(), "agenda.pdf", "not of an accepted type"),
    (samples.png(), "photo.pdf", "not of an accepted type"),
    (samples.plain_zip(), "deck.pptx", "not of an accepted type"),
    (b"", "empty.pdf", "This file is empty."),
])
def test_a_refused_upload_is_said_next_to_the_field_and_saves_nothing(client, login, world, hub_item, data, name,
                                                                       message):
    login(world.manager)
    response = client.post(url("library.files_page", slug=hub_item.slug), data=upload(data, name),
                           content_type="multipart/form-data")
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert 'id="new-file-error"' in html and message in html and "The file was not added." in html
    assert file_count() == 0


def test_oversize_upload_is_refused(client, login, world, hub_item, monkeypatch):
    from hub.library import loaders
    monkeypatch.setattr(services, "ATTACHMENTS", files.UploadRule(types=loaders.ATTACHMENTS.types, max_bytes=1024))
    login(world.manager)
    response = client.post(url("library.files_page", slug=hub_item.slug),
                           data=upload(samples.pdf() + b"0" * 2048, "big.pdf"), content_type="multipart/form-data")
    assert response.status_code == 422 and "This file is too large: at most 1 KB." in response.get_data(as_text=True)
    assert file_count() == 0


def test_a_request_over_the_global_limit_gets_413(client, login, world, hub_item, app):
    login(world.manager)
    app.config["MAX_CONTENT_LENGTH"] = 4096
    response = client.post(url("library.files_page", slug=hub_item.slug),
                           data=upload(samples.pdf() + b"0" * 8192, "big.pdf"), content_type="multipart/form-data")
    assert response.status_code == 413 and "too large" in response.get_data(as_text=True)
    assert file_count() == 0


def test_missing_titles_keep_the_file_out(client, login, world, hub_item):
    login(world.manager)
    response = client.post(url("library.files_page", slug=hub_item.slug),
                           data=upload(samples.pdf(), "a.pdf", title_en=""), content_type="multipart/form-data")
    assert response.status_code == 422 and 'id="new-title_en-error"' in response.get_data(as_text=True)
    assert file_count() == 0


@pytest.mark.parametrize("given, stored", [
    ("../../etc/passwd", "passwd.pdf"),
    ("/etc/passwd", "passwd.pdf"),
    ("..\\..\\boot.ini", "boot.ini.pdf"),
    ("ag\x00enda.pdf", "agenda.pdf"),
    ("x" * 400 + ".pdf", "x" * 116 + ".pdf"),
])
def test_path_tricks_in_the_name_end_as_a_plain_name(client, login, world, hub_item, given, stored):
    login(world.manager)
    response = client.post(url("library.files_page", slug=hub_item.slug), data=upload(samples.pdf(), given),
                           content_type="multipart/form-data")
    assert response.status_code == 303
    row = db.session.scalar(select(LibraryFile))
    assert row.name == stored
    assert files.path_of(row.sha256).parent == files.store_dir()


def test_same_name_twice_gets_a_number(world, hub_item):
    first = services.add_file(hub_item, _storage(samples.pdf(), "a.pdf"), services.FileInput("А", "A"), world.manager)
    second = services.add_file(hub_item, _storage(samples.pdf() + b"\n", "a.pdf"), services.FileInput("Б", "B"),
                               world.manager)
    assert (first.name, second.name, second.position) == ("a.pdf", "a (2).pdf", 1)


def test_replace_retitle_and_remove(client, login, world, hub_item):
    row = services.add_file(hub_item, _storage(samples.pdf(), "prices.pdf"), services.FileInput("Цены", "Prices"),
                            world.manager)
    login(world.manager)
    prefix = f"f{row.id}"
    response = client.post(url("library.update_file", slug=hub_item.slug, file_id=row.id),
                           data={f"{prefix}-title_ru": "Цены 2027", f"{prefix}-title_en": "Prices 2027"})
    assert response.status_code == 303
    db.session.refresh(row)
    assert (row.title_en, row.name) == ("Prices 2027", "prices.pdf")
    old_sha = row.sha256
    response = client.post(url("library.update_file", slug=hub_item.slug, file_id=row.id), content_type="multipart/form-data",
                           data=upload(samples.office("xlsx"), "prices-2027.xlsx", prefix=prefix))
    assert response.status_code == 303
    db.session.refresh(row)
    assert row.sha256 != old_sha and row.name == "prices-2027.xlsx" and row.content_type.endswith("spreadsheetml.sheet")
    # a wrong replacement changes nothing
    response = client.post(url("library.update_file", slug=hub_item.slug, file_id=row.id), content_type="multipart/form-data",
                           data=upload(samples.exe(), "prices.xlsx", prefix=prefix))
    assert response.status_code == 422 and f'id="{prefix}-file-error"' in response.get_data(as_text=True)
    db.session.refresh(row)
    assert row.name == "prices-2027.xlsx"
    assert client.post(url("library.remove_file", slug=hub_item.slug, file_id=row.id)).status_code == 303
    assert file_count() == 0


def test_partners_cannot_manage_files(client, login, world, hub_item):
    row = services.add_file(hub_item, _storage(samples.pdf(), "a.pdf"), services.FileInput("А", "A"), world.manager)
    world.org_a.tier = "platinum"
    db.session.commit()
    login(world.a_admin)
    assert client.get(url("library.files_page", slug=hub_item.slug)).status_code == 403
    assert client.post(url("library.files_page", slug=hub_item.slug), data=upload(samples.pdf(), "b.pdf"),
                       content_type="multipart/form-data").status_code == 403
    assert client.post(url("library.remove_file", slug=hub_item.slug, file_id=row.id)).status_code == 403
    assert file_count() == 1


def test_another_items_file_id_is_404(client, login, world, library, hub_item):
    other = db.session.scalar(select(LibraryFile).join(LibraryItem).where(LibraryItem.slug == "price-list-2026"))
    login(world.manager)
    assert client.post(url("library.remove_file", slug=hub_item.slug, file_id=other.id)).status_code == 404


def test_content_items_keep_their_files(client, login, world, library):
    item = db.session.scalar(select(LibraryItem).where(LibraryItem.slug == "price-list-2026"))
    before = file_count()
    login(world.manager)
    page = client.get(url("library.files_page", slug=item.slug)).get_data(as_text=True)
    assert "content/library/price-list-2026" in page and "Add the file" not in page
    response = client.post(url("library.files_page", slug=item.slug), data=upload(samples.pdf(), "a.pdf"),
                           content_type="multipart/form-data", follow_redirects=True)
    assert "change them there" in response.get_data(as_text=True)
    assert file_count() == before
    with pytest.raises(services.LibraryError):
        services.add_file(item, _storage(samples.pdf(), "a.pdf"), services.FileInput("А", "A"), world.manager)


def _storage(data: bytes, name: str):
    from werkzeug.datastructures import FileStorage
    return FileStorage(stream=io.BytesIO(data), filename=name)
