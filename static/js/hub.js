// Partner Hub's own script: marks the page as script-enabled, so CSS can show what only works with
// JavaScript (live checks) and hide what only the plain form needs. Nothing else: htmx does the rest.
document.documentElement.classList.add("js");
