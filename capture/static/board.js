/* The boards: drag a card to another column (SortableJS), or use its
   "Move to" form, to change its status; "Load more" fetches a column's next
   cards. Every action also works without this file (plain form posts and
   links), and every move goes through the server's one status change: the
   card moves only once the server has said yes, and goes back, with the
   reason, when it says no. */
(function () {
  "use strict";

  function init() {
    var board = document.querySelector("[data-board]");
    if (!board) return;
    var moveUrl = board.getAttribute("data-move-url");
    var idField = board.getAttribute("data-id-field");
    var numbers = new Intl.NumberFormat(board.getAttribute("data-locale") || undefined);
    var alertBox = document.querySelector("[data-board-message]");
    var statusBox = document.querySelector("[data-board-status]");

    function say(text) {
      if (alertBox) alertBox.hidden = true;
      if (statusBox) statusBox.textContent = text;
    }
    function complain(text) {
      if (alertBox) {
        alertBox.textContent = text;
        alertBox.hidden = false;
      }
      if (statusBox) statusBox.textContent = "";
    }

    function listFor(statusId) {
      return board.querySelector('[data-cards][data-status="' + statusId + '"]');
    }
    function columnName(list) {
      var column = list && list.closest("[data-column]");
      var heading = column && column.querySelector("h2");
      return heading ? heading.textContent.trim() : "";
    }
    function adjustCount(list, delta) {
      var column = list && list.closest("[data-column]");
      var count = column && column.querySelector("[data-count]");
      if (!count) return;
      var value = Math.max(0, Number(count.getAttribute("data-count")) + delta);
      count.setAttribute("data-count", String(value));
      var text = count.querySelector("[data-count-text]");
      if (text) text.textContent = numbers.format(value);
    }

    // Priority and status colours of cards added later (admin.js paints the first ones).
    function paint(root) {
      root.querySelectorAll("[data-color]").forEach(function (el) {
        var colour = el.getAttribute("data-color");
        if (!/^#[0-9a-fA-F]{6}$/.test(colour)) return;
        el.style.backgroundColor = colour;
        el.style.color = lightness(colour) > 0.55 ? "#111827" : "#ffffff";
      });
    }
    function lightness(hex) {
      var r = parseInt(hex.slice(1, 3), 16), g = parseInt(hex.slice(3, 5), 16), b = parseInt(hex.slice(5, 7), 16);
      return (0.299 * r + 0.587 * g + 0.114 * b) / 255;
    }

    function post(card, statusId) {
      var form = card.querySelector("[data-move-form]");
      var body = new FormData(form);
      body.set("status_id", statusId);
      return fetch(moveUrl, {
        method: "POST",
        body: body,
        credentials: "same-origin",
        headers: { Accept: "application/json" },
      }).then(function (response) {
        return response.json().then(
          function (answer) {
            answer.ok = response.ok && answer.ok;
            return answer;
          },
          function () {
            return { ok: false, message: "The server did not answer as expected (signed out?). Reload the page and try again." };
          }
        );
      }, function () {
        return { ok: false, message: "The server could not be reached; the card was not moved." };
      });
    }

    function putBack(card, from, index) {
      from.insertBefore(card, from.children[index] || null);
    }

    function cardName(card) {
      return card.getAttribute("data-name") || "The card";
    }

    // One move, from a drop or a "Move to" form. The card is already in ``to``
    // after a drop (``to`` is null when that status has no column here).
    function move(card, from, index, statusId, dropped) {
      var to = listFor(statusId);
      card.classList.add("moving");
      return post(card, statusId).then(function (answer) {
        card.classList.remove("moving");
        var select = card.querySelector("select[name=status_id]");
        if (!answer.ok) {
          if (dropped) putBack(card, from, index);
          if (select) select.value = from.getAttribute("data-status");
          complain(answer.message || "The move was refused.");
          if (answer.convert_url) window.location.assign(answer.convert_url);
          return false;
        }
        if (!dropped) {
          if (to) to.insertBefore(card, to.firstElementChild);
          else card.remove();
        }
        if (select) select.value = String(statusId);
        adjustCount(from, -1);
        if (to) adjustCount(to, +1);
        say(answer.message || cardName(card) + " moved to " + columnName(to) + ".");
        return true;
      });
    }

    if (window.Sortable) {
      board.querySelectorAll("[data-cards]").forEach(function (list) {
        window.Sortable.create(list, {
          group: "board",
          sort: false,
          draggable: ".board-card",
          filter: "select, button, input, label, option",
          preventOnFilter: false,
          forceFallback: true,
          fallbackOnBody: true,
          animation: 120,
          onEnd: function (event) {
            if (event.from === event.to) return;
            move(event.item, event.from, event.oldIndex, event.to.getAttribute("data-status"), true);
          },
        });
      });
    }

    // "Move to": the same move, from the keyboard or a screen reader.
    board.addEventListener("submit", function (event) {
      var form = event.target.closest("[data-move-form]");
      if (!form) return;
      event.preventDefault();
      var card = form.closest(".board-card");
      var from = card.parentElement;
      var select = form.querySelector("select[name=status_id]");
      var statusId = select.value;
      if (statusId === from.getAttribute("data-status")) {
        say(cardName(card) + " is already in " + columnName(from) + ".");
        return;
      }
      var index = Array.prototype.indexOf.call(from.children, card);
      move(card, from, index, statusId, false).then(function (moved) {
        var focus = moved ? card.isConnected && card.querySelector("select") : select;
        if (focus) focus.focus();
        else if (!card.isConnected) (from.querySelector("select") || board).focus();
      });
    });

    // "Load more": the next cards of one column, in place.
    board.addEventListener("click", function (event) {
      var more = event.target.closest("[data-more]");
      if (!more) return;
      event.preventDefault();
      var list = more.closest("[data-column]").querySelector("[data-cards]");
      var url = more.getAttribute("href") + (more.getAttribute("href").indexOf("?") < 0 ? "?" : "&") + "partial=1";
      more.setAttribute("aria-busy", "true");
      fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (response) {
          if (!response.ok) throw new Error(String(response.status));
          return response.json();
        })
        .then(function (answer) {
          var before = list.children.length;
          var holder = document.createElement("template");
          holder.innerHTML = answer.html;
          paint(holder.content);
          list.appendChild(holder.content);
          var first = list.children[before];
          var link = first && first.querySelector("a, select");
          if (link) link.focus();
          if (answer.next) {
            more.setAttribute("href", answer.next);
            more.removeAttribute("aria-busy");
          } else {
            more.remove();
          }
          say((list.children.length - before) + " more cards in " + columnName(list) + ".");
        })
        .catch(function () {
          more.removeAttribute("aria-busy");
          complain("More cards could not be loaded; try again.");
        });
    });
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
