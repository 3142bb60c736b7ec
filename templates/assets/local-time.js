// Adds the visitor's own time beside each time a page shows, when the visitor's zone
// differs from the one the page shows it in. Pages read fine without it.
(function () {
  "use strict";
  function pad(n) { return (n < 10 ? "0" : "") + n; }
  // Minutes east of UTC in an RFC 3339 value ("+01:00", "-05:00", "Z").
  function offsetOf(value) {
    var m = /([+-])(\d\d):(\d\d)$/.exec(value);
    if (!m) return /Z$/.test(value) ? 0 : null;
    var minutes = Number(m[2]) * 60 + Number(m[3]);
    return m[1] === "-" ? -minutes : minutes;
  }
  function parse(element) {
    var value = element.getAttribute("datetime") || "";
    var when = new Date(value), shown = offsetOf(value);
    if (value.indexOf("T") < 0 || shown === null || isNaN(when.getTime())) return null;
    return { value: value, when: when, differs: -when.getTimezoneOffset() !== shown };
  }
  function clock(t, withDay) {
    var text = pad(t.when.getHours()) + ":" + pad(t.when.getMinutes());
    if (!withDay) return text;
    return t.when.toLocaleDateString(undefined, { weekday: "short", day: "numeric", month: "short" }) + " " + text;
  }
  function localDay(t) {
    return t.when.getFullYear() + "-" + pad(t.when.getMonth() + 1) + "-" + pad(t.when.getDate());
  }
  var zone = "";
  try { zone = Intl.DateTimeFormat().resolvedOptions().timeZone || ""; } catch (e) { zone = ""; }
  var times = document.querySelectorAll("time[datetime]");
  for (var i = 0; i < times.length; i++) {
    var start = parse(times[i]);
    if (!start || !start.differs) continue;
    var after = times[i], text = clock(start, localDay(start) !== start.value.slice(0, 10));
    // A start–end pair in one element gets one note after the end.
    var next = times[i].nextElementSibling;
    var end = next && next.tagName === "TIME" ? parse(next) : null;
    if (end) {
      text += "–" + clock(end, localDay(end) !== localDay(start));
      after = next;
      i++;
    }
    var note = document.createElement("small");
    note.className = "local-time";
    note.textContent = " (" + text + " your time" + (zone ? ", " + zone : "") + ")";
    after.parentNode.insertBefore(note, after.nextSibling);
  }
})();
