/* Models page: while a training runs, asks the server for its state every 2 s
   (/console/models/training, JSON) and shows it, with the step under way (a bar for the
   epochs of a component that trains in epochs) and the last lines of its log; when it
   ends, the page reloads to list the new model. Without JavaScript the page shows the same
   state when reloaded. */
(function () {
  "use strict";
  var section = document.getElementById("training");
  if (!section || typeof window.fetch === "undefined") { return; }
  var url = section.getAttribute("data-status-url");
  var stateNode = document.getElementById("training-state");
  var logNode = document.getElementById("training-log");
  var stageNode = document.getElementById("training-stage");
  var barNode = document.getElementById("training-progress");
  var running = section.getAttribute("data-state") === "running";
  if (!running) { return; }

  function poll() {
    window.fetch(url, { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (state) {
        if (!state) { window.setTimeout(poll, 2000); return; }
        if (!state.running) { window.location.assign(window.location.pathname); return; }
        stateNode.textContent = state.text;
        stageNode.textContent = state.stage;
        stageNode.hidden = !state.stage;
        if (state.epochs) {
          barNode.max = state.epochs;
          barNode.value = state.epoch;
          barNode.textContent = state.epoch + " / " + state.epochs;
        }
        barNode.hidden = !state.epochs;
        logNode.textContent = state.tail.join("\n");
        logNode.hidden = state.tail.length === 0;
        window.setTimeout(poll, 2000);
      })
      .catch(function () { window.setTimeout(poll, 2000); });
  }
  window.setTimeout(poll, 2000);
}());
