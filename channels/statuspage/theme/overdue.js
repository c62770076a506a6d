// overdue.js: once the time of a promised next update has passed, says
// that it is overdue; without JavaScript the page says "Next update by".
(function () {
  function check() {
    document.querySelectorAll('.next-update[data-pending]').forEach(function (e) {
      var t = e.querySelector('time');
      if (t && !e.classList.contains('overdue') && Date.parse(t.dateTime) <= Date.now()) {
        e.classList.add('overdue');
        // data-overdue: the words in the page's language.
        e.firstChild.data = e.dataset.overdue || 'Overdue: the next update was due by ';
      }
    });
  }
  check();
  setInterval(check, 30000);
})();
