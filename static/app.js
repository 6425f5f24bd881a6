/* Careerlog: small progressive enhancements. Every page works without this file.
 *
 * Loaded in <head> without defer: the saved colour theme is applied to <html> at once, before the
 * first paint, and the rest is wired up when the document has been parsed.
 *
 *  - [data-theme-toggle]  cycles the colour theme: system -> light -> dark -> system
 *  - [data-reveal="id"]   shows or hides the password in input #id
 *  - [data-copy="id"]     copies the text of element #id to the clipboard
 *  - [data-autosubmit]    a filter <select> that applies itself when changed
 *  - [data-max-bytes]     a file input that says at once when a file is over the size limit
 *  - [data-editor]        the journal editor's Write / Preview tabs (the server renders the preview);
 *                         with [data-image-upload], an image pasted or dropped into the text is
 *                         uploaded to the entry and its Markdown put where the cursor is
 *  - [data-default-time-zone]  an empty time zone field takes the browser's own zone
 *  - [data-board]         the job-search board: drag a card to another column to move it
 *  - form[data-ai-stream] an AI run whose text appears as it is written (interview preparation)
 *  - [data-print]         a hidden button that opens the browser's print dialog (resume preview)
 *  - [data-colour-custom="id"]  a label's own colour input: choosing a colour in it also checks
 *                         the radio button #id ("Another colour"), so the swatches do not win
 *  - [data-error-summary] a form came back with mistakes: the summary gets a link to each field
 *                         that needs fixing and focus moves to it, so a keyboard or
 *                         screen-reader user starts from what needs fixing
 *  - #card-<id> in the URL  after a card moved on the board, focus lands on that card
 *  - textarea[data-grapheme-limit]  the Bluesky composer's count, in graphemes as Bluesky counts
 *  - form[data-coverage-form]  a tailored resume's chooser: the job description's keywords move
 *                         between covered and missing as boxes are ticked, before saving
 */
(function () {
  "use strict";

  var STORAGE_KEY = "careerlog-theme";
  var root = document.documentElement;

  /* Theme ------------------------------------------------------------------------------------ */

  function readTheme() {
    try {
      var value = window.localStorage.getItem(STORAGE_KEY);
      return value === "light" || value === "dark" ? value : null;
    } catch (e) {
      return null; // storage blocked or unavailable: follow the system
    }
  }

  function writeTheme(value) {
    try {
      if (value) {
        window.localStorage.setItem(STORAGE_KEY, value);
      } else {
        window.localStorage.removeItem(STORAGE_KEY);
      }
    } catch (e) {
      /* the choice lasts for this page only */
    }
  }

  function applyTheme(value) {
    if (value) {
      root.setAttribute("data-theme", value);
    } else {
      root.removeAttribute("data-theme");
    }
  }

  var currentTheme = readTheme();
  if (currentTheme) applyTheme(currentTheme);

  var THEME_LABELS = {
    system: "Colour theme: follows your system",
    light: "Colour theme: light",
    dark: "Colour theme: dark"
  };

  function describeToggle(button, value) {
    var mode = value || "system";
    var label = THEME_LABELS[mode];
    button.setAttribute("data-mode", mode);
    button.setAttribute("aria-label", label);
    button.setAttribute("title", label);
  }

  function nextTheme(value) {
    if (value === "light") return "dark";
    if (value === "dark") return null;
    return "light";
  }

  function setupThemeToggles() {
    var buttons = document.querySelectorAll("[data-theme-toggle]");
    if (!buttons.length) return;
    function refresh() {
      for (var i = 0; i < buttons.length; i++) describeToggle(buttons[i], currentTheme);
    }
    for (var i = 0; i < buttons.length; i++) {
      buttons[i].addEventListener("click", function () {
        currentTheme = nextTheme(currentTheme);
        applyTheme(currentTheme);
        writeTheme(currentTheme);
        refresh();
      });
      buttons[i].hidden = false;
    }
    refresh();
    // Keep other open tabs in step with a choice made here.
    window.addEventListener("storage", function (event) {
      if (event.key !== null && event.key !== STORAGE_KEY) return;
      currentTheme = readTheme();
      applyTheme(currentTheme);
      refresh();
    });
  }

  /* Live region, so "Copied" is announced to screen readers too ------------------------------ */

  var liveRegion = null;

  function announce(message) {
    if (!liveRegion) {
      liveRegion = document.createElement("div");
      liveRegion.className = "visually-hidden";
      liveRegion.setAttribute("role", "status");
      liveRegion.setAttribute("aria-live", "polite");
      document.body.appendChild(liveRegion);
    }
    liveRegion.textContent = "";
    window.setTimeout(function () {
      liveRegion.textContent = message;
    }, 50);
  }

  /* Password reveal -------------------------------------------------------------------------- */

  function setupReveal(button) {
    var input = document.getElementById(button.getAttribute("data-reveal"));
    if (!input || input.tagName !== "INPUT") return;

    function show(visible) {
      input.type = visible ? "text" : "password";
      button.textContent = visible ? "Hide" : "Show";
      button.setAttribute("aria-pressed", visible ? "true" : "false");
    }

    button.setAttribute("aria-controls", input.id);
    show(false);
    button.addEventListener("click", function () {
      show(input.type === "password");
    });
    // Never submit (or let a browser remember) the password as visible text.
    if (input.form) {
      input.form.addEventListener("submit", function () {
        show(false);
      });
    }
    button.hidden = false;
  }

  /* Copy to clipboard ------------------------------------------------------------------------ */

  function selectContents(element) {
    try {
      var range = document.createRange();
      range.selectNodeContents(element);
      var selection = window.getSelection();
      selection.removeAllRanges();
      selection.addRange(range);
    } catch (e) {
      /* nothing more we can do */
    }
  }

  function setupCopy(button) {
    var source = document.getElementById(button.getAttribute("data-copy"));
    // The clipboard API exists only in secure contexts (https, or localhost).
    if (!source || !navigator.clipboard || typeof navigator.clipboard.writeText !== "function") return;

    var label = button.textContent;
    var timer = null;

    button.addEventListener("click", function () {
      var text = (source.textContent || "").trim();
      navigator.clipboard.writeText(text).then(
        function () {
          button.textContent = "Copied";
          announce("Copied to the clipboard");
          window.clearTimeout(timer);
          timer = window.setTimeout(function () {
            button.textContent = label;
          }, 2000);
        },
        function () {
          // Permission refused: select the text so the visitor can copy it themselves.
          selectContents(source);
          announce("Could not copy. The text is selected: copy it with your keyboard.");
        }
      );
    });
    button.hidden = false;
  }

  /* Filters ---------------------------------------------------------------------------------- */

  function setupAutosubmit(select) {
    var form = select.form;
    if (!form) return;
    var button = form.querySelector("[data-autosubmit-button]");
    if (button) button.hidden = true;
    select.addEventListener("change", function () {
      form.submit();
    });
  }

  /* Uploads ---------------------------------------------------------------------------------- */

  function setupMaxBytes(input) {
    var max = parseInt(input.getAttribute("data-max-bytes"), 10);
    var error = document.querySelector('[data-error-for="' + input.id + '"]');
    var field = input.closest(".field");
    function check() {
      var file = input.files && input.files[0];
      var tooLarge = !!file && max > 0 && file.size > max;
      var message = tooLarge ? input.getAttribute("data-too-large") : "";
      input.setCustomValidity(message);
      if (error) {
        error.textContent = message;
        error.hidden = !tooLarge;
      }
      if (field) field.classList.toggle("has-error", tooLarge);
      if (tooLarge) input.setAttribute("aria-invalid", "true");
      else input.removeAttribute("aria-invalid");
      return !tooLarge;
    }
    input.addEventListener("change", check);
    if (input.form) {
      input.form.addEventListener("submit", function (event) {
        if (!check()) {
          event.preventDefault();
          input.focus();
        }
      });
    }
  }

  /* Journal editor --------------------------------------------------------------------------- */

  function setupEditor(editor) {
    var form = editor.closest("form");
    var tabs = editor.querySelector("[data-editor-tabs]");
    var writeTab = editor.querySelector("[data-editor-write]");
    var previewTab = editor.querySelector("[data-editor-preview]");
    var pane = editor.querySelector("[data-preview-pane]");
    var bodyPane = editor.querySelector("#body-pane");
    if (!form || !tabs || !writeTab || !previewTab || !pane || !bodyPane || !window.fetch) return;
    var button = form.querySelector("[data-preview-button]");
    if (button) button.hidden = true;
    tabs.hidden = false;
    var uploadTo = editor.getAttribute("data-image-upload");
    var textarea = form.querySelector('textarea[name="body"]');
    if (uploadTo && textarea && window.FormData) setupImageDrop(form, textarea, uploadTo);

    function select(preview) {
      writeTab.setAttribute("aria-selected", preview ? "false" : "true");
      previewTab.setAttribute("aria-selected", preview ? "true" : "false");
      bodyPane.hidden = preview;
      pane.hidden = !preview;
    }

    writeTab.addEventListener("click", function () {
      select(false);
    });
    previewTab.addEventListener("click", function () {
      var body = new URLSearchParams();
      var token = form.querySelector('input[name="_csrf"]');
      body.set("body", form.querySelector('textarea[name="body"]').value);
      pane.textContent = "Rendering the preview…";
      select(true);
      fetch("/journal/preview?fragment=1", {
        method: "POST",
        credentials: "same-origin",
        headers: { "X-CSRF-Token": token ? token.value : "" },
        body: body
      })
        .then(function (response) {
          if (!response.ok) throw new Error(String(response.status));
          return response.text();
        })
        .then(function (html) {
          // Rendered and sanitised by the server (Markdown through an HTML allow-list).
          pane.innerHTML = html.trim() ? html : "<p class=\"muted\">Nothing to preview yet.</p>";
        })
        .catch(function () {
          pane.textContent = "The preview could not be loaded. Your text is safe; try again.";
        });
    });
  }

  // Images pasted or dropped into the entry's text go up through the API as the owner (the
  // session cookie and the form's CSRF token), then appear in the text as Markdown.
  function setupImageDrop(form, textarea, uploadTo) {
    var token = form.querySelector('input[name="_csrf"]');

    function insert(text) {
      var start = textarea.selectionStart || 0;
      var end = textarea.selectionEnd || start;
      var before = textarea.value.slice(0, start);
      var spacer = before && !/\n$/.test(before) ? "\n" : "";
      textarea.value = before + spacer + text + "\n" + textarea.value.slice(end);
      var caret = (before + spacer + text + "\n").length;
      textarea.setSelectionRange(caret, caret);
      textarea.dispatchEvent(new Event("input", { bubbles: true }));
    }

    function upload(file) {
      var body = new FormData();
      body.append("image", file, file.name || "pasted-image.png");
      body.append("alt_text", "");
      announce("Uploading the image…");
      return fetch(uploadTo, {
        method: "POST",
        credentials: "same-origin",
        headers: { "X-CSRF-Token": token ? token.value : "" },
        body: body
      })
        .then(function (response) {
          return response.json().then(function (answer) {
            if (!response.ok) {
              var fields = answer && answer.error && answer.error.fields;
              throw new Error((fields && fields.image) || (answer.error && answer.error.message) || "The image could not be added.");
            }
            return answer;
          });
        })
        .then(function (image) {
          insert("![](" + image.url + ")");
          announce("Image added. Describe it between the square brackets.");
        })
        .catch(function (error) {
          announce(error.message || "The image could not be added.");
        });
    }

    function images(list) {
      var found = [];
      for (var i = 0; list && i < list.length; i++) {
        if (list[i].type && list[i].type.indexOf("image/") === 0) found.push(list[i]);
      }
      return found;
    }

    textarea.addEventListener("paste", function (event) {
      var files = images(event.clipboardData && event.clipboardData.files);
      if (!files.length) return;
      event.preventDefault();
      files.forEach(upload);
    });
    textarea.addEventListener("dragover", function (event) {
      if (event.dataTransfer && Array.prototype.indexOf.call(event.dataTransfer.types || [], "Files") >= 0) {
        event.preventDefault();
      }
    });
    textarea.addEventListener("drop", function (event) {
      var files = images(event.dataTransfer && event.dataTransfer.files);
      if (!files.length) return;
      event.preventDefault();
      files.forEach(upload);
    });
  }

  /* AI runs that stream ------------------------------------------------------------------------ */

  // A form with data-ai-stream posts there instead and shows the text as it is written
  // (server-sent events: text, then done with the page to open, or error with a sentence).
  // Without fetch streams the form posts as usual and the page waits for the end.
  function setupAiStream(form) {
    var url = form.getAttribute("data-ai-stream");
    var section = form.closest("section") || document;
    var output = section.querySelector("[data-ai-stream-output]");
    var status = form.querySelector("[data-ai-stream-status]");
    var button = form.querySelector("button[type=submit]");
    if (!url || !output || !window.fetch || !window.TextDecoder || !window.ReadableStream) return;

    form.addEventListener("submit", function (event) {
      event.preventDefault();
      button.disabled = true;
      output.hidden = false;
      output.textContent = "";
      if (status) {
        status.hidden = false;
        status.textContent = "Writing your preparation… this can take a minute. Leaving the page stops it.";
      }
      var finished = false;
      fetch(url, {
        method: "POST",
        credentials: "same-origin",
        headers: { "Content-Type": "application/x-www-form-urlencoded" },
        body: new URLSearchParams(new FormData(form)).toString()
      })
        .then(function (response) {
          var type = response.headers.get("Content-Type") || "";
          if (!response.ok || !response.body || type.indexOf("text/event-stream") !== 0) {
            // Refused before it ran (a limit, a choice that is not yours, AI off): the
            // ordinary submit shows the page that says why. Anything else (a proxy's error, a
            // sign-in page) is not sent again: it could run the preparation twice.
            if ((response.status >= 400 && response.status < 500) || response.status === 503) {
              finished = true;
              form.submit();
            }
            return;
          }
          var reader = response.body.getReader();
          var decoder = new TextDecoder();
          var buffer = "";
          function handle(block) {
            var name = "message";
            var data = [];
            block.split("\n").forEach(function (line) {
              if (line.indexOf("event:") === 0) name = line.slice(6).trim();
              else if (line.indexOf("data:") === 0) data.push(line.slice(5).replace(/^ /, ""));
            });
            var text = data.join("\n");
            if (name === "text") {
              output.textContent += text;
            } else if (name === "done") {
              finished = true;
              window.location.assign(text);
            } else if (name === "error") {
              finished = true;
              if (status) status.textContent = text;
              announce(text);
              button.disabled = false;
            }
          }
          function pump() {
            return reader.read().then(function (chunk) {
              if (chunk.done) return;
              buffer += decoder.decode(chunk.value, { stream: true });
              var end;
              while ((end = buffer.indexOf("\n\n")) >= 0) {
                handle(buffer.slice(0, end));
                buffer = buffer.slice(end + 2);
              }
              return pump();
            });
          }
          return pump();
        })
        .catch(function () {
          /* handled below */
        })
        .then(function () {
          if (!finished) {
            if (status) status.textContent = "The connection was lost before the preparation was finished. Try again.";
            button.disabled = false;
          }
        });
    });
  }

  /* Time zone -------------------------------------------------------------------------------- */

  function setupDefaultTimeZone(input) {
    if (input.value) return;
    try {
      var zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
      if (zone) input.value = zone;
    } catch (e) {
      /* the user types it */
    }
  }

  // A signed-in user without a time zone: tell the server the browser's, once, so times are
  // shown in it from the next page on (Settings can change it).
  function sendTimeZoneOnce(form) {
    var zone;
    try {
      zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
    } catch (e) {
      return;
    }
    if (!zone || !window.fetch) return;
    form.querySelector('input[name="time_zone"]').value = zone;
    fetch(form.action, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams(new FormData(form)).toString()
    }).catch(function () {
      /* next page will try again */
    });
  }

  /* Board ------------------------------------------------------------------------------------ */

  // Dragging a card to another column submits the card's own move form in the background, so
  // the server checks and records the move exactly as it does without JavaScript.
  function setupBoard(board) {
    var dragged = null;

    function columnOf(node) {
      while (node && node !== board) {
        if (node.classList && node.classList.contains("board-column")) return node;
        node = node.parentNode;
      }
      return null;
    }

    function setCount(column, delta) {
      var count = column.querySelector("[data-count]");
      if (count) count.textContent = String(Math.max(0, parseInt(count.textContent, 10) + delta));
    }

    board.addEventListener("dragstart", function (event) {
      var card = event.target.closest ? event.target.closest(".board-card") : null;
      if (!card) return;
      dragged = card;
      card.classList.add("is-dragging");
      event.dataTransfer.effectAllowed = "move";
      event.dataTransfer.setData("text/plain", card.getAttribute("data-id"));
    });

    board.addEventListener("dragend", function () {
      if (dragged) dragged.classList.remove("is-dragging");
      dragged = null;
      each(".is-drop-target", function (c) { c.classList.remove("is-drop-target"); });
    });

    board.addEventListener("dragover", function (event) {
      var column = columnOf(event.target);
      if (!dragged || !column) return;
      event.preventDefault();
      event.dataTransfer.dropEffect = "move";
      each(".is-drop-target", function (c) { if (c !== column) c.classList.remove("is-drop-target"); });
      column.classList.add("is-drop-target");
    });

    board.addEventListener("drop", function (event) {
      var column = columnOf(event.target);
      var card = dragged;
      if (!card || !column) return;
      event.preventDefault();
      column.classList.remove("is-drop-target");
      var from = columnOf(card);
      var status = column.getAttribute("data-status");
      if (from === column) return;
      var form = card.querySelector("form.board-move");
      var select = form.querySelector("select[name=status]");
      var previous = select.value;
      select.value = status;
      column.querySelector(".board-cards").insertBefore(card, column.querySelector(".board-card"));
      setCount(from, -1);
      setCount(column, 1);
      fetch(form.action, {
        method: "POST",
        credentials: "same-origin",
        headers: { "Content-Type": "application/x-www-form-urlencoded" },
        body: new URLSearchParams(new FormData(form)).toString()
      }).then(function (response) {
        if (!response.ok) throw new Error("move refused");
        // Keyboard and screen-reader users carry on from the card they moved.
        card.focus();
        announce("Moved to " + column.getAttribute("data-name") + ".");
      }).catch(function () {
        // Put it back: the server did not record the move.
        select.value = previous;
        from.querySelector(".board-cards").appendChild(card);
        setCount(column, -1);
        setCount(from, 1);
        var message = "The card could not be moved. Try again, or use its Move menu.";
        var shown = board.parentNode.querySelector("[data-board-error]");
        if (shown) {
          shown.textContent = message;
          shown.hidden = false;
        } else {
          announce(message);
        }
      });
    });
  }

  /* Print ------------------------------------------------------------------------------------ */

  function setupPrint(button) {
    button.hidden = false;
    button.addEventListener("click", function () {
      window.print();
    });
  }

  /* Label colour ----------------------------------------------------------------------------- */

  function setupColourCustom(input) {
    var radio = document.getElementById(input.getAttribute("data-colour-custom"));
    if (!radio) return;
    function choose() {
      radio.checked = true;
    }
    input.addEventListener("input", choose);
    input.addEventListener("change", choose);
  }

  /* Bluesky composer --------------------------------------------------------------------------- */

  // Bluesky limits posts to 300 graphemes (what a reader sees as one character), so an emoji
  // family counts once. Intl.Segmenter counts them; without it the server's count stays.
  function setupGraphemeCount(area) {
    if (typeof Intl === "undefined" || !Intl.Segmenter) return;
    var limit = parseInt(area.getAttribute("data-grapheme-limit"), 10);
    var out = area.form && area.form.querySelector("[data-grapheme-count]");
    if (!out) return;
    var segmenter = new Intl.Segmenter(undefined, { granularity: "grapheme" });
    function update() {
      var count = 0;
      var it = segmenter.segment(area.value.trim())[Symbol.iterator]();
      while (!it.next().done) count++;
      out.textContent = String(count);
      out.parentNode.classList.toggle("over-limit", count > limit);
    }
    area.addEventListener("input", update);
    update();
  }

  // The server says which keywords each record's text names (data-names, by their place in the
  // list) and which the profile names on every version (data-always); a highlight counts only
  // with its experience (data-parent). Saving works it out again on the server, the same way.
  function setupCoverage(form) {
    var panel = document.querySelector("[data-coverage]");
    var covered = panel && panel.querySelector("[data-coverage-list=covered]");
    var missing = panel && panel.querySelector("[data-coverage-list=missing]");
    if (!covered || !missing) return;
    var chips = Array.prototype.slice.call(panel.querySelectorAll("[data-keyword]"));
    chips.sort(function (a, b) {
      return parseInt(a.getAttribute("data-keyword"), 10) - parseInt(b.getAttribute("data-keyword"), 10);
    });
    function places(text) {
      return (text || "").split(" ").filter(function (place) { return place !== ""; });
    }
    function update() {
      var named = {};
      places(panel.getAttribute("data-always")).forEach(function (place) { named[place] = true; });
      var boxes = form.querySelectorAll("input[type=checkbox][data-names]");
      for (var i = 0; i < boxes.length; i++) {
        var box = boxes[i];
        var parentId = box.getAttribute("data-parent");
        var parent = parentId ? document.getElementById(parentId) : null;
        if (!box.checked || (parentId && !(parent && parent.checked))) continue;
        places(box.getAttribute("data-names")).forEach(function (place) { named[place] = true; });
      }
      var count = 0;
      chips.forEach(function (chip) {
        var isCovered = named[chip.getAttribute("data-keyword")] === true;
        if (isCovered) count++;
        chip.className = "chip " + (isCovered ? "chip-success" : "chip-warning");
        (isCovered ? covered : missing).appendChild(chip);
      });
      var total = chips.length;
      var countOut = panel.querySelector("[data-coverage-count]");
      var percentOut = panel.querySelector("[data-coverage-percent]");
      if (countOut) countOut.textContent = String(count);
      if (percentOut) percentOut.textContent = String(total === 0 ? 100 : Math.floor((count * 100) / total));
      var emptyCovered = panel.querySelector("[data-coverage-empty=covered]");
      var emptyMissing = panel.querySelector("[data-coverage-empty=missing]");
      if (emptyCovered) emptyCovered.hidden = count !== 0;
      if (emptyMissing) emptyMissing.hidden = count !== total;
      var unsaved = panel.querySelector("[data-coverage-unsaved]");
      if (unsaved) unsaved.hidden = false;
    }
    form.addEventListener("change", function (event) {
      if (event.target && event.target.type === "checkbox") update();
    });
  }

  /* Start ------------------------------------------------------------------------------------ */

  function each(selector, fn) {
    var nodes = document.querySelectorAll(selector);
    for (var i = 0; i < nodes.length; i++) fn(nodes[i]);
  }

  function init() {
    setupThemeToggles();
    each("button[data-reveal]", setupReveal);
    each("button[data-copy]", setupCopy);
    each("select[data-autosubmit]", setupAutosubmit);
    each("input[type=file][data-max-bytes]", setupMaxBytes);
    each("[data-editor]", setupEditor);
    each("form[data-ai-stream]", setupAiStream);
    each("input[data-default-time-zone]", setupDefaultTimeZone);
    each("form[data-auto-time-zone]", sendTimeZoneOnce);
    each("[data-board]", setupBoard);
    each("button[data-print]", setupPrint);
    each("input[data-colour-custom]", setupColourCustom);
    each("textarea[data-grapheme-limit]", setupGraphemeCount);
    each("form[data-coverage-form]", setupCoverage);
    each("form[data-carry-from]", setupCarry);
    focusWhatChanged();
  }

  /* Carrying a form's fields --------------------------------------------------------------- */

  // "Fill in from the page" sends what was typed into the form below it along with the address,
  // so the page comes back with it kept (and filled in where the posting says more). Without
  // JavaScript the address alone is sent.
  function setupCarry(form) {
    var source = document.getElementById(form.getAttribute("data-carry-from"));
    if (!source) return;
    form.addEventListener("submit", function () {
      var earlier = form.querySelectorAll("input[data-carried]");
      for (var i = 0; i < earlier.length; i++) earlier[i].remove();
      function carry(name, value) {
        var input = document.createElement("input");
        input.type = "hidden";
        input.name = name;
        input.value = value;
        input.setAttribute("data-carried", "");
        form.appendChild(input);
      }
      var fields = source.elements;
      for (var j = 0; j < fields.length; j++) {
        var field = fields[j];
        if (!field.name || field.disabled || field.name === "_csrf" || field.name === "url") continue;
        if (field.type === "submit" || field.type === "button" || field.type === "file") continue;
        if ((field.type === "checkbox" || field.type === "radio") && !field.checked) continue;
        carry(field.name, field.value);
      }
      carry("carried", "1");
    });
  }

  /* Focus ------------------------------------------------------------------------------------ */

  // The summary lists each message as a link to its field, in the order of the form, so a
  // keyboard user goes from the summary to the first field to fix in two keys.
  function linkErrorsFromSummary(summary) {
    var form = summary.closest("form") || (summary.parentNode && summary.parentNode.querySelector("form"));
    var scope = form || document.querySelector("main") || document.body;
    var list = document.createElement("ul");
    list.className = "error-summary-list";
    var messages = scope.querySelectorAll(".field-error[id$='-error']");
    for (var i = 0; i < messages.length; i++) {
      var message = messages[i];
      var id = message.id.slice(0, -"-error".length);
      var field = document.getElementById(id) || scope.querySelector("[aria-describedby~='" + message.id + "']");
      if (!field) continue;
      var label = field.id ? scope.querySelector("label[for='" + field.id + "']") : null;
      var link = document.createElement("a");
      link.href = "#" + field.id;
      link.textContent = (label ? label.textContent.trim() + ": " : "") + message.textContent.trim();
      link.addEventListener("click", focusField(field));
      var item = document.createElement("li");
      item.appendChild(link);
      list.appendChild(item);
    }
    if (list.children.length) summary.appendChild(list);
  }

  function focusField(field) {
    return function (event) {
      event.preventDefault();
      field.focus();
      // Bring its label into view too: the label says what the field is.
      var label = document.querySelector("label[for='" + field.id + "']");
      (label || field).scrollIntoView({ block: "center" });
    };
  }

  function focusWhatChanged() {
    var summary = document.querySelector("[data-error-summary]");
    if (summary) {
      linkErrorsFromSummary(summary);
      summary.focus();
      return;
    }
    if (/^#card-[0-9a-f-]+$/.test(window.location.hash)) {
      var card = document.getElementById(window.location.hash.slice(1));
      if (card) card.focus();
    }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
