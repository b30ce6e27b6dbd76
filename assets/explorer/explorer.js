/* The browser explorer of chapter 16: a bidirectional nn.RNN, computed in the page.
 *
 * The chapter's notebook writes, into its page, a <div class="birnn-explorer"> holding a
 * <script type="application/json" class="birnn-explorer-data"> with the explorer's limits
 * and the weights of nn.RNN(3, H, batch_first=True, bidirectional=True) for a few H (the
 * cell that writes them asserts they are the layer's own parameters). This script turns
 * each such div into the explorer: the reader types a sequence, and the page runs both
 * sweeps in float64, shows the weights, the two terms of every step, what each state has
 * read, where h_n sits in out, and steps through time with both directions together.
 * tests/test_explorer.py compares every number it shows with nn.RNN.
 *
 * No dependencies, no network: plain DOM, built with textContent (never innerHTML).
 */
(function () {
  "use strict";

  // The number syntax of the notebook's parse_number (its NUMBER regex), exactly.
  var NUMBER = /^[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]+)?$/;
  // A state "changed" between two inputs when an entry moved by more than this, as in
  // the notebook's changed_steps.
  var CHANGE_ATOL = 1e-6;
  var DIRECTIONS = [
    ["both", "Both directions"],
    ["forward", "Forward only"],
    ["reverse", "Reverse only"],
  ];

  // --- Computation (mirrors the notebook's parse_sequence, sweep, changed_steps) -------

  /** Rows of numbers from the text, or throw an Error whose message says what to fix. */
  function parseSequence(text, rules) {
    var body = text.trim();
    if (body.slice(-1) === ";") body = body.slice(0, -1);
    var steps = body.split(";").map(function (s) { return s.trim(); });
    if (steps.length === 1 && steps[0] === "") {
      throw new Error("the sequence is empty: type steps like 1,1,1; 1,2,1");
    }
    if (steps.length > rules.max_steps) {
      throw new Error(steps.length + " steps is too long: at most " + rules.max_steps);
    }
    return steps.map(function (step, t) {
      var entries = step.split(",").map(function (e) { return e.trim(); });
      if (step === "") throw new Error("step " + t + " is empty: remove the extra ';'");
      if (entries.length !== rules.input_size) {
        throw new Error("step " + t + " has " + entries.length + " number(s), but " +
          "every step needs " + rules.input_size + " (input_size = " +
          rules.input_size + ")");
      }
      return entries.map(function (entry) {
        if (!NUMBER.test(entry)) {
          throw new Error("step " + t + ": '" + entry + "' is not a number");
        }
        var value = Number(entry);
        if (!(Math.abs(value) <= rules.max_abs)) {
          throw new Error("step " + t + ": '" + entry + "' is outside -" +
            rules.max_abs + " .. " + rules.max_abs);
        }
        return value;
      });
    });
  }

  function affine(w, v, b) {
    // w v + b, for w of shape (H, n), v of length n, b of length H.
    return w.map(function (row, i) {
      var sum = b[i];
      for (var j = 0; j < row.length; j++) sum += row[j] * v[j];
      return sum;
    });
  }

  /** One direction over x: the state and both terms of every step, stored at step t. */
  function sweep(x, w, reverse) {
    var T = x.length, H = w.hh.length;
    var h = new Array(H).fill(0); // h_{-1} (forward) or h_T (reverse): zero
    var out = { state: [], input: [], recurrent: [] };
    for (var i = 0; i < T; i++) {
      var t = reverse ? T - 1 - i : i;
      var input = affine(w.ih, x[t], w.b_ih);
      var recurrent = affine(w.hh, h, w.b_hh);
      h = input.map(function (a, u) { return Math.tanh(a + recurrent[u]); });
      out.input[t] = input;
      out.recurrent[t] = recurrent;
      out.state[t] = h;
    }
    return out;
  }

  function directionWeights(layer, suffix) {
    return {
      ih: layer["weight_ih_l0" + suffix],
      hh: layer["weight_hh_l0" + suffix],
      b_ih: layer["bias_ih_l0" + suffix],
      b_hh: layer["bias_hh_l0" + suffix],
    };
  }

  function explore(x, H, layer) {
    return {
      x: x,
      T: x.length,
      H: H,
      forward: sweep(x, directionWeights(layer, ""), false),
      reverse: sweep(x, directionWeights(layer, "_reverse"), true),
    };
  }

  function movedSteps(a, b) {
    var moved = [];
    for (var t = 0; t < a.length; t++) {
      for (var u = 0; u < a[t].length; u++) {
        if (Math.abs(a[t][u] - b[t][u]) > CHANGE_ATOL) { moved.push(t); break; }
      }
    }
    return moved;
  }

  /** Steps at which x and each direction's states differ; null for another T or H. */
  function changedSteps(before, after) {
    if (before.T !== after.T || before.H !== after.H) return null;
    return {
      x: movedSteps(before.x, after.x),
      forward: movedSteps(before.forward.state, after.forward.state),
      reverse: movedSteps(before.reverse.state, after.reverse.state),
    };
  }

  // --- Building the page ----------------------------------------------------------------

  /** An element with attributes and children (strings become text nodes). */
  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (name) {
      var value = attrs[name];
      if (value === false || value === null || value === undefined) return;
      if (name === "text") node.textContent = value;
      else if (name === "className") node.className = value;
      else node.setAttribute(name, value === true ? "" : value);
    });
    (children || []).forEach(function (child) {
      if (child === null || child === undefined) return;
      node.appendChild(typeof child === "string" ? document.createTextNode(child) : child);
    });
    return node;
  }

  /** A symbol with a subscript, such as x_t or W_ih: sym("W", "ih"). */
  function sym(base, sub, arrow) {
    var parts = [];
    if (arrow) {
      // The book's arrow over the symbol; screen readers get the direction in words.
      parts.push(el("span", { className: "bx-arrow", "data-arrow": arrow }, [base]));
      parts.push(el("span", { className: "bx-sr", text: arrow === "←" ? " reverse" :
        " forward" }));
    } else {
      parts.push(base);
    }
    if (sub !== undefined) parts.push(el("sub", { text: String(sub) }));
    return el("span", { className: "bx-sym" }, parts);
  }

  function fmt(value) {
    return value.toFixed(4);
  }

  /** A number as shown (4 decimals), with its full float64 value for the tests. */
  function num(value) {
    return el("span", { className: "bx-num", "data-value": String(value), text: fmt(value) });
  }

  function vector(values) {
    var children = ["["];
    values.forEach(function (v, i) {
      if (i) children.push(", ");
      children.push(num(v));
    });
    children.push("]");
    return el("span", { className: "bx-vector" }, children);
  }

  function inputText(row) {
    return row.map(function (v) { return String(v); }).join(", ");
  }

  /** "x0 … xt" (forward) or "x(T-1) … xt" (reverse): what the state at t has read. */
  function reads(T, t, direction) {
    var first = direction === "forward" ? 0 : T - 1;
    var node = el("span", { className: "bx-read", "data-first": first, "data-last": t },
      [sym("x", first)]);
    if (first !== t) {
      node.appendChild(document.createTextNode(" … "));
      node.appendChild(sym("x", t));
    }
    return node;
  }

  var count = 0;

  function build(root, data) {
    var id = "bx" + count++;
    var sizes = Object.keys(data.layers).map(Number).sort(function (a, b) { return a - b; });
    var state = {
      H: data.default_hidden_size,
      text: data.default_text,
      result: null,
      previous: null,
      k: 0,
      direction: "both",
    };

    // Input: the sequence, its hint and its message, then the hidden size.
    var field = el("input", {
      id: id + "-x", type: "text", value: data.default_text, autocomplete: "off",
      spellcheck: "false", "aria-describedby": id + "-x-hint " + id + "-x-msg",
    });
    var message = el("p", { id: id + "-x-msg", className: "bx-msg", role: "alert" });
    var size = el("select", { id: id + "-h" }, sizes.map(function (H) {
      return el("option", { value: String(H), text: String(H) });
    }));
    size.value = String(data.default_hidden_size);
    var form = el("form", { className: "bx-form", novalidate: true }, [
      el("div", { className: "bx-field bx-sequence" }, [
        el("label", {
          for: id + "-x",
          text: "Input sequence x: steps separated by semicolons, " + data.input_size +
            " numbers per step separated by commas",
        }),
        el("div", { className: "bx-row" }, [
          field,
          el("button", { type: "submit", className: "bx-button", text: "Run both sweeps" }),
        ]),
        el("p", {
          id: id + "-x-hint", className: "bx-hint",
          text: "For example 1,1,1; 1,2,1; 2,3,1. Numbers from -" + data.max_abs + " to " +
            data.max_abs + ", at most " + data.max_steps + " steps. Press Enter to run.",
        }),
        message,
      ]),
      el("div", { className: "bx-field bx-size" }, [
        el("label", { for: id + "-h", text: "Hidden size H" }),
        size,
      ]),
    ]);

    // Stepping: which directions to show, and the sweep step k.
    var radios = DIRECTIONS.map(function (pair, i) {
      return el("span", { className: "bx-choice" }, [
        el("input", {
          type: "radio", name: id + "-dir", id: id + "-dir-" + pair[0], value: pair[0],
          checked: i === 0,
        }),
        el("label", { for: id + "-dir-" + pair[0], text: pair[1] }),
      ]);
    });
    var slider = el("input", { id: id + "-k", type: "range", min: "0", step: "1" });
    var previousButton = el("button", { type: "button", className: "bx-button",
      text: "Previous step" });
    var nextButton = el("button", { type: "button", className: "bx-button",
      text: "Next step" });
    var now = el("p", { className: "bx-now", id: id + "-now", "aria-live": "polite" });
    var stepper = el("div", { className: "bx-stepper" }, [
      el("fieldset", { className: "bx-directions" }, [el("legend", { text: "Show" })]
        .concat(radios)),
      el("div", { className: "bx-field bx-sweep" }, [
        el("label", { for: id + "-k", text: "Sweep step k" }),
        slider,
        el("div", { className: "bx-row" }, [previousButton, nextButton]),
      ]),
      now,
    ]);

    var changes = el("p", { className: "bx-changes", role: "status" });
    var cards = el("div", { className: "bx-cards" });
    var table = el("div", {
      className: "bx-scroll", role: "region", tabindex: "0",
      "aria-labelledby": id + "-out-title",
    });
    var legend = el("p", { className: "bx-legend" });
    var hn = el("div", { className: "bx-hn" });
    var weights = el("div", { className: "bx-weights-body" });

    root.textContent = "";
    root.classList.add("bx-ready");
    root.appendChild(form);
    root.appendChild(changes);
    root.appendChild(stepper);
    root.appendChild(cards);
    root.appendChild(el("h3", { id: id + "-out-title" }, [
      el("code", { text: "out[0]" }), ": a row per time step, the forward half then " +
        "the reverse half",
    ]));
    root.appendChild(table);
    root.appendChild(legend);
    root.appendChild(hn);
    root.appendChild(el("details", { className: "bx-weights" }, [
      el("summary", { text: "The weights in use" }), weights,
    ]));

    // --- Showing a result ---------------------------------------------------------------

    function showWeights() {
      var layer = data.layers[String(state.H)];
      weights.textContent = "";
      weights.appendChild(el("p", {
        text: "nn.RNN(" + data.input_size + ", " + state.H + ", batch_first=True, " +
          "bidirectional=True) after torch.manual_seed(" + data.seed + "), exported by " +
          "the notebook's make_layer. Rows are hidden units.",
      }));
      [["", "Forward direction", null], ["_reverse", "Reverse direction", "←"]]
        .forEach(function (direction) {
          var box = el("div", { className: "bx-weight-group" }, [
            el("h4", { text: direction[1] }),
          ]);
          [["weight_ih_l0", "W", "ih"], ["weight_hh_l0", "W", "hh"],
            ["bias_ih_l0", "b", "ih"], ["bias_hh_l0", "b", "hh"]]
            .forEach(function (item) {
              var name = item[0] + direction[0];
              var value = layer[name];
              var rows = Array.isArray(value[0]) ? value : [value];
              var body = el("tbody", {}, rows.map(function (row) {
                return el("tr", {}, row.map(function (v) { return el("td", {}, [num(v)]); }));
              }));
              box.appendChild(el("table", { className: "bx-matrix", "data-name": name }, [
                el("caption", {}, [sym(item[1], item[2], direction[2]), " = ",
                  el("code", { text: name })]),
                body,
              ]));
            });
          weights.appendChild(box);
        });
    }

    function card(direction, t) {
      var r = state.result, T = r.T;
      var part = r[direction];
      var forward = direction === "forward";
      var arrow = forward ? "→" : "←";
      var before = forward ? t - 1 : t + 1;
      var rows = [
        [[sym("x", t)], inputText(r.x[t]), "x"],
        [[sym("W", "ih", arrow), " ", sym("x", t), " + ", sym("b", "ih", arrow)],
          vector(part.input[t]), "input"],
        [[sym("W", "hh", arrow), " ", sym("h", before, arrow), " + ", sym("b", "hh", arrow)],
          vector(part.recurrent[t]), "recurrent"],
        [[sym("h", t, arrow), " = tanh(sum)"], vector(part.state[t]), "state"],
        [["has read"], reads(T, t, direction), "read"],
      ];
      var title = (forward ? "Forward" : "Reverse") + " direction, t = " + t;
      var note = before === -1 || before === T ?
        el("p", { className: "bx-note" }, [sym("h", before, arrow),
          " is the initial state, zero: the recurrent term is ", sym("b", "hh", arrow),
          " alone."]) : null;
      return el("section", {
        className: "bx-card bx-" + direction, "data-direction": direction, "data-t": t,
        "aria-labelledby": id + "-card-" + direction,
      }, [
        el("h3", { id: id + "-card-" + direction, text: title }),
        el("table", { className: "bx-terms" }, [el("tbody", {}, rows.map(function (row) {
          return el("tr", { "data-q": row[2] }, [
            el("th", { scope: "row" }, row[0]),
            el("td", {}, [row[1]]),
          ]);
        }))]),
        note,
      ]);
    }

    function outTable() {
      var r = state.result, T = r.T, H = r.H, k = state.k;
      var tForward = k, tReverse = T - 1 - k;
      var moved = state.changes || { forward: [], reverse: [] };
      var head = [el("th", { scope: "col", text: "t" }),
        el("th", { scope: "col" }, [sym("x", "t")])];
      var show = { forward: state.direction !== "reverse",
        reverse: state.direction !== "forward" };
      ["forward", "reverse"].forEach(function (direction) {
        if (!show[direction]) return;
        for (var u = 0; u < H; u++) {
          head.push(el("th", { scope: "col", className: "bx-" + direction,
            text: (direction === "forward" ? "fwd " : "rev ") + u }));
        }
      });
      if (show.forward) head.push(el("th", { scope: "col", text: "forward has read" }));
      if (show.reverse) head.push(el("th", { scope: "col", text: "reverse has read" }));
      head.push(el("th", { scope: "col", text: "in h_n" }));
      var body = [];
      for (var t = 0; t < T; t++) {
        var cells = [el("th", { scope: "row", text: String(t) }),
          el("td", { className: "bx-x", text: inputText(r.x[t]) })];
        ["forward", "reverse"].forEach(function (direction) {
          if (!show[direction]) return;
          var done = direction === "forward" ? t <= tForward : t >= tReverse;
          var current = t === (direction === "forward" ? tForward : tReverse);
          var changed = moved[direction].indexOf(t) >= 0;
          for (var u = 0; u < H; u++) {
            var classes = "bx-" + direction + (current ? " bx-current" : "") +
              (changed ? " bx-changed" : "");
            cells.push(el("td", {
              className: classes, "data-direction": direction, "data-unit": u,
            }, done ? [num(r[direction].state[t][u]),
              changed ? el("span", { className: "bx-mark", "aria-hidden": "true",
                text: "•" }) : null,
              changed ? el("span", { className: "bx-sr", text: " (changed)" }) : null] :
              [el("span", { "aria-hidden": "true", text: "·" }),
                el("span", { className: "bx-sr", text: "not computed yet" })]));
          }
        });
        if (show.forward) {
          cells.push(el("td", { className: "bx-has-read", "data-read": "forward" },
            [reads(T, t, "forward")]));
        }
        if (show.reverse) {
          cells.push(el("td", { className: "bx-has-read", "data-read": "reverse" },
            [reads(T, t, "reverse")]));
        }
        var where = [];
        if (t === T - 1) where.push("h_n[0]: fwd");
        if (t === 0) where.push("h_n[1]: rev");
        cells.push(el("td", { className: "bx-in-hn" }, where.map(function (text, i) {
          return el("span", { className: "bx-line", text: (i ? " " : "") + text });
        })));
        body.push(el("tr", { "data-t": t }, cells));
      }
      legend.textContent = "Framed: the two states computed at this sweep step. " +
        "·: not computed yet." + (state.changes ? " •: changed since the previous input." :
        "");
      return el("table", { className: "bx-out" }, [
        el("thead", {}, [el("tr", {}, head)]),
        el("tbody", {}, body),
      ]);
    }

    function hnPart(index, direction, t) {
      var r = state.result, H = r.H;
      var slice = direction === "forward" ? ":" + H : H + ":";
      return el("p", { "data-hn": index }, [
        el("code", { text: "h_n[" + index + "] = out[0, " + t + ", " + slice + "]" }),
        " = ", vector(r[direction].state[t]), " (" + direction + " direction, t = " + t +
          ", its last step)",
      ]);
    }

    function showHn() {
      var r = state.result;
      hn.textContent = "";
      if (state.k !== r.T - 1) {
        hn.appendChild(el("p", {
          text: "h_n is ready after the last sweep step, k = " + (r.T - 1) + ": each " +
            "direction has " + (r.T - 1 - state.k) + " step(s) to go.",
        }));
        return;
      }
      hn.appendChild(hnPart(0, "forward", r.T - 1));
      hn.appendChild(hnPart(1, "reverse", 0));
    }

    function showChanges() {
      changes.textContent = "";
      if (!state.previous) {
        changes.textContent = "Type another sequence to see which states it changes.";
        return;
      }
      if (!state.changes) {
        changes.textContent = "Another T or H than the previous input (" +
          state.previousText + "): every state is new.";
        return;
      }
      var c = state.changes;
      function list(steps) { return steps.length ? "t = " + steps.join(", ") : "no step"; }
      changes.appendChild(el("span", { "data-changes": "all" }, [
        "Since the previous input (" + state.previousText + "): x changed at ",
        el("span", { "data-changes": "x", text: list(c.x) }),
        "; forward states changed at ",
        el("span", { "data-changes": "forward", text: list(c.forward) }),
        "; reverse states changed at ",
        el("span", { "data-changes": "reverse", text: list(c.reverse) }),
        ".",
      ]));
    }

    function showStep() {
      var r = state.result, T = r.T, k = state.k;
      slider.max = String(T - 1);
      slider.value = String(k);
      var text = "Sweep step k = " + k + " of 0 to " + (T - 1) + ": the forward direction " +
        "computes its state at t = " + k + ", the reverse direction its state at t = " +
        (T - 1 - k) + ".";
      slider.setAttribute("aria-valuetext", "k = " + k + ": forward t = " + k +
        ", reverse t = " + (T - 1 - k));
      now.textContent = text;
      cards.textContent = "";
      if (state.direction !== "reverse") cards.appendChild(card("forward", k));
      if (state.direction !== "forward") cards.appendChild(card("reverse", T - 1 - k));
      table.textContent = "";
      table.appendChild(outTable());
      showHn();
    }

    function showAll() {
      showWeights();
      showChanges();
      showStep();
    }

    // --- Reacting to the reader -----------------------------------------------------------

    function run(text, H) {
      var x;
      try {
        x = parseSequence(text, data);
      } catch (error) {
        message.textContent = "⚠ " + error.message + " (still showing the last good input)";
        field.setAttribute("aria-invalid", "true");
        root.classList.add("bx-has-error");
        return false;
      }
      message.textContent = "";
      field.removeAttribute("aria-invalid");
      root.classList.remove("bx-has-error");
      var result = explore(x, H, data.layers[String(H)]);
      if (state.result) {
        state.previous = state.result;
        state.previousText = state.text + (state.H === H ? "" : ", H = " + state.H);
        state.changes = changedSteps(state.previous, result);
        if (result.T !== state.result.T) state.k = result.T - 1;
      } else {
        state.k = result.T - 1; // first result: both sweeps finished
      }
      state.result = result;
      state.text = text.trim();
      state.H = H;
      showAll();
      return true;
    }

    form.addEventListener("submit", function (event) {
      event.preventDefault();
      run(field.value, state.H);
    });
    size.addEventListener("change", function () {
      // The sequence in the field, with the new size; if the field holds text that
      // cannot be used, the size goes back with the rest of the last good result.
      if (!run(field.value, Number(size.value))) size.value = String(state.H);
    });
    radios.forEach(function (choice) {
      choice.querySelector("input").addEventListener("change", function (event) {
        state.direction = event.target.value;
        showStep();
      });
    });
    function moveTo(k) {
      state.k = Math.max(0, Math.min(state.result.T - 1, k));
      showStep();
    }
    slider.addEventListener("input", function () { moveTo(Number(slider.value)); });
    previousButton.addEventListener("click", function () { moveTo(state.k - 1); });
    nextButton.addEventListener("click", function () { moveTo(state.k + 1); });

    run(data.default_text, data.default_hidden_size);
  }

  function init() {
    var roots = document.querySelectorAll(".birnn-explorer:not(.bx-ready)");
    Array.prototype.forEach.call(roots, function (root) {
      var source = root.querySelector("script.birnn-explorer-data");
      if (!source) return;
      build(root, JSON.parse(source.textContent));
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
