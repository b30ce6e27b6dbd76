/* The browser explorer of chapter 16: a bidirectional nn.RNN, computed in the page.
 *
 * The chapter's notebook writes, into its page, a <div class="birnn-explorer"> holding a
 * <script type="application/json" class="birnn-explorer-data"> with the explorer's limits
 * and the weights of nn.RNN(3, H, batch_first=True, bidirectional=True) for a few H (the
 * cell that writes them asserts they are the layer's own parameters). This script turns
 * each such div into the explorer: the reader edits a sequence (or nudges one input with
 * the arrow keys or a drag), and the page runs both sweeps in float64 at once; it draws
 * the unrolled network in SVG with every state coloured by value, steps (or plays) both
 * directions together, shows the numbers of any state on demand, and compares everything
 * with a pinned baseline. tests/test_explorer.py compares every number it shows with
 * nn.RNN.
 *
 * No dependencies, no network: plain DOM, built with textContent (never innerHTML).
 */
(function () {
  "use strict";

  // --- The grammar: the notebook's parse_sequence, rule for rule, message for message ---
  var NUMBER = /^[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]+)?$/;
  var MINUS_SIGNS = /[\u2212\u2013]/g; // − (U+2212) and – (U+2013), read as -
  var BRACKETS = "[](){}";
  var STEP_BREAK = /;[^\S\n]*\n|[;\n]/; // ";", a line break, or both together
  var NUMBER_BREAK = /\s*,\s*|\s+/; // a comma, spaces, or both
  // A state "moved" between two inputs when an entry moved by more than this, as in the
  // notebook's changed_steps.
  var CHANGE_ATOL = 1e-6;
  var NUDGE = 0.1; // one arrow key press; Shift or Page Up/Down: 1
  var DRAG_PX = 6; // pixels of vertical drag per nudge
  var PLAY_MS = 900; // one sweep step per this many milliseconds
  var BINS = 10; // the colour scale: ten bins of 0.2 from -1 to 1
  var DIRECTIONS = [
    ["both", "Both directions"],
    ["forward", "Forward only"],
    ["reverse", "Reverse only"],
  ];

  function parseNumber(entry, t, rules) {
    var plain = entry.replace(MINUS_SIGNS, "-");
    if (!NUMBER.test(plain)) throw new Error("step " + t + ": '" + entry + "' is not a number");
    var value = Number(plain);
    if (!(Math.abs(value) <= rules.max_abs)) {
      throw new Error("step " + t + ": '" + entry + "' is outside -" + rules.max_abs +
        " .. " + rules.max_abs);
    }
    return value;
  }

  function parseStep(step, t, rules) {
    var entries = step.split(NUMBER_BREAK);
    if (entries.indexOf("") >= 0) {
      throw new Error("step " + t + " has a blank entry: remove the extra ','");
    }
    if (entries.length !== rules.input_size) {
      throw new Error("step " + t + " has " + entries.length + " number" +
        (entries.length === 1 ? "" : "s") + ", but every step needs " + rules.input_size +
        " (input_size = " + rules.input_size + ")");
    }
    return entries.map(function (entry) { return parseNumber(entry, t, rules); });
  }

  /** Rows of numbers from the text, or throw an Error whose message says what to fix. */
  function parseSequence(text, rules) {
    var body = text.trim();
    if (body.slice(-1) === ";") body = body.slice(0, -1).trim();
    for (var i = 0; i < BRACKETS.length; i++) {
      if (body.indexOf(BRACKETS[i]) >= 0) {
        throw new Error("remove the brackets: type the numbers alone, one step per " +
          "line or steps separated by ';'");
      }
    }
    if (body === "") throw new Error("the sequence is empty: type steps like 1,1,1; 1,2,1");
    var steps = body.split(STEP_BREAK).map(function (s) { return s.trim(); });
    if (steps.length > rules.max_steps) {
      throw new Error(steps.length + " steps is too long: at most " + rules.max_steps);
    }
    steps.forEach(function (step, t) {
      if (step === "") throw new Error("step " + t + " is empty: remove the extra ';' or " +
        "blank line");
    });
    return steps.map(function (step, t) { return parseStep(step, t, rules); });
  }

  // --- Computation (mirrors the notebook's sweep, explore, changed_steps) ---------------

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
      x: x, T: x.length, H: H,
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
    if (!before || before.T !== after.T || before.H !== after.H) return null;
    return {
      x: movedSteps(before.x, after.x),
      forward: movedSteps(before.forward.state, after.forward.state),
      reverse: movedSteps(before.reverse.state, after.reverse.state),
    };
  }

  /** The inputs the state at t has read: forward x_0 .. x_t, reverse x_(T-1) .. x_t. */
  function readRange(T, t, direction) {
    return direction === "forward" ? [0, t] : [t, T - 1];
  }

  // --- Formatting -------------------------------------------------------------------------

  function minus(text) { return text.replace(/^-/, "\u2212"); }

  /** A state or a term as shown: 4 decimals, with the minus sign of the equations. */
  function fmt(value) {
    var text = value.toFixed(4);
    if (text === "-0.0000") text = "0.0000";
    return minus(text);
  }

  /** An input as typed back: at most 6 decimals, no trailing zeros. */
  function inputText(value) {
    return String(Math.round(value * 1e6) / 1e6);
  }

  function delta(value) {
    if (Math.abs(value) <= CHANGE_ATOL) return "0";
    var text = Math.abs(value) < 5e-5 ? value.toExponential(1) : value.toFixed(4);
    return (value > 0 ? "+" : "") + minus(text);
  }

  /** The colour bin of a value: 0 for -1 .. -0.8, up to 9 for 0.8 .. 1. */
  function bin(value) {
    return Math.max(0, Math.min(BINS - 1, Math.floor((value + 1) / (2 / BINS))));
  }

  // --- Building the page ------------------------------------------------------------------

  var SVG = "http://www.w3.org/2000/svg";

  /** An element with attributes and children (strings become text nodes). */
  function make(ns, tag, attrs, children) {
    var node = ns ? document.createElementNS(ns, tag) : document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (name) {
      var value = attrs[name];
      if (value === false || value === null || value === undefined) return;
      if (name === "text") node.textContent = value;
      else if (name === "className") node.setAttribute("class", value);
      else node.setAttribute(name, value === true ? "" : value);
    });
    (children || []).forEach(function (child) {
      if (child === null || child === undefined) return;
      node.appendChild(typeof child === "string" ? document.createTextNode(child) : child);
    });
    return node;
  }

  function el(tag, attrs, children) { return make(null, tag, attrs, children); }
  function svg(tag, attrs, children) { return make(SVG, tag, attrs, children); }

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

  function xText(row) {
    return row.map(function (v) { return minus(inputText(v)); }).join(", ");
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

  function stepsText(steps) {
    return steps.length ? "t = " + steps.join(", ") : "no step";
  }

  var count = 0;

  function build(root, data) {
    var id = "bx" + count++;
    var sizes = Object.keys(data.layers).map(Number).sort(function (a, b) { return a - b; });
    var state = {
      H: data.default_hidden_size, result: null, k: 0, direction: "both",
      baseline: null, focus: null, hover: null, playing: null,
    };
    var rules = data;

    // --- The controls -------------------------------------------------------------------
    var field = el("textarea", {
      id: id + "-x", rows: "5", autocomplete: "off", spellcheck: "false",
      "aria-describedby": id + "-x-hint " + id + "-x-msg",
    });
    field.value = data.default_text.replace(/;\s*/g, "\n");
    var message = el("p", { id: id + "-x-msg", className: "bx-msg" });
    var size = el("select", { id: id + "-h" }, sizes.map(function (H) {
      return el("option", { value: String(H), text: String(H) });
    }));
    size.value = String(data.default_hidden_size);
    var live = el("p", { className: "bx-sr bx-live", role: "status", "aria-live": "polite" });

    var editor = el("div", { className: "bx-form" }, [
      el("div", { className: "bx-field bx-sequence" }, [
        el("label", {
          for: id + "-x",
          text: "Input sequence x: one step per line (or steps separated by ;), " +
            data.input_size + " numbers per step",
        }),
        field,
        message,
        el("p", {
          id: id + "-x-hint", className: "bx-hint",
          text: "Numbers from -" + data.max_abs + " to " + data.max_abs + " (− works too), " +
            "separated by commas or spaces; at most " + data.max_steps + " steps. Everything " +
            "recomputes as you type.",
        }),
      ]),
      el("div", { className: "bx-field bx-size" }, [
        el("label", { for: id + "-h", text: "Hidden size H" }),
        size,
      ]),
    ]);

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
    function button(text, className) {
      return el("button", { type: "button", className: "bx-button " + (className || ""),
        text: text });
    }
    var previousButton = button("Previous step", "bx-previous");
    var playButton = button("Play", "bx-play");
    var nextButton = button("Next step", "bx-next");
    var pinButton = button("Pin as baseline", "bx-pin");
    var unpinButton = button("Unpin", "bx-unpin");
    var now = el("p", { className: "bx-now", id: id + "-now" });
    var stepper = el("div", { className: "bx-stepper" }, [
      el("fieldset", { className: "bx-directions" }, [el("legend", { text: "Show" })]
        .concat(radios)),
      el("div", { className: "bx-field bx-sweep" }, [
        el("label", { for: id + "-k", text: "Sweep step k" }),
        slider,
        el("div", { className: "bx-row" }, [previousButton, playButton, nextButton]),
      ]),
      el("div", { className: "bx-field bx-baseline" }, [
        el("div", { className: "bx-row" }, [pinButton, unpinButton]),
      ]),
      now,
    ]);

    var changes = el("p", { className: "bx-changes" });
    var picture = svg("svg", {
      className: "bx-net", role: "group", "aria-labelledby": id + "-net-title",
      "aria-describedby": id + "-net-help", tabindex: "-1", // its parts take the focus
    });
    var readout = el("p", { className: "bx-readout", id: id + "-readout" });
    var cards = el("div", { className: "bx-cards" });
    var table = el("div", {
      className: "bx-scroll", role: "region", tabindex: "0",
      "aria-labelledby": id + "-out-title",
    });
    var hn = el("div", { className: "bx-hn" });
    var weights = el("div", { className: "bx-weights-body" });
    var scale = el("div", { className: "bx-scale", "aria-hidden": "true" },
      [el("span", { className: "bx-scale-end", text: "−1" })]
        .concat(Array.apply(null, Array(BINS)).map(function (_, b) {
          return el("span", { className: "bx-swatch bx-v" + b });
        }))
        .concat([el("span", { className: "bx-scale-end", text: "+1" })]));

    root.textContent = "";
    root.classList.add("bx-ready");
    [editor, stepper, live, changes,
      el("h3", { id: id + "-net-title", text: "The unrolled network" }),
      el("p", { className: "bx-hint", id: id + "-net-help",
        text: "Forward states left, inputs in the middle, reverse states right. Point at " +
          "a state, or Tab to the states and use the arrow keys, to see its numbers, what it " +
          "has read and where it lands (Enter: the sweep step that computes it). Drag an " +
          "input up or down, or Tab to the inputs: ← → choose one, ↑ ↓ nudge it by 0.1 " +
          "(Shift: by 1)." }),
      el("div", { className: "bx-graph" }, [picture]),
      el("div", { className: "bx-scale-row" }, [scale, el("span", { className: "bx-hint",
        text: "State values: purple below 0, green above, each square a bin of 0.2." })]),
      readout, cards,
      el("h3", { id: id + "-out-title" }, [
        el("code", { text: "out[0]" }), " and ", el("code", { text: "h_n" }),
        ": each step t, the forward half then the reverse half",
      ]),
      table, hn,
      el("details", { className: "bx-weights" }, [
        el("summary", { text: "The weights in use" }), weights,
      ]),
    ].forEach(function (part) { root.appendChild(part); });

    function shows(direction) {
      return state.direction === "both" || state.direction === direction;
    }

    function say(text) {
      // Polite announcements: the same text twice is announced twice.
      live.textContent = "";
      window.setTimeout(function () { live.textContent = text; }, 30);
    }

    // --- The weights ----------------------------------------------------------------------

    /** The layer's weights at hidden size H: drawn again only when H changes. */
    function showWeights() {
      if (weights.getAttribute("data-h") === String(state.H)) return;
      weights.setAttribute("data-h", String(state.H));
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

    // --- The picture: the unrolled network, time running down -------------------------

    var CELL = 16, ROW = 46, TOP = 34, BOX_W = 38, BOX_H = 22;
    var COLUMN = { forward: 66, input: 180, reverse: 294 };
    var WIDTH = 360;

    function rowY(t) { return TOP + (t + 1) * ROW + ROW / 2; }

    function computedBy(direction, t) {
      // Is the state at t computed at the current sweep step?
      var T = state.result.T;
      return direction === "forward" ? t <= state.k : t >= T - 1 - state.k;
    }

    function stateMoved(direction, t) {
      var c = state.changes;
      return !!c && c[direction].indexOf(t) >= 0;
    }

    function arrow(x1, y1, x2, y2, className, key) {
      // A line with an arrowhead at (x2, y2), as one group.
      var angle = Math.atan2(y2 - y1, x2 - x1), size = 6;
      var a = angle + Math.PI - 0.45, b = angle + Math.PI + 0.45;
      var head = [x2, y2, x2 + size * Math.cos(a), y2 + size * Math.sin(a),
        x2 + size * Math.cos(b), y2 + size * Math.sin(b)].map(function (v) {
        return v.toFixed(1);
      });
      return svg("g", { className: "bx-edge " + className, "data-edge": key,
        "aria-hidden": "true" }, [
        svg("line", { x1: x1, y1: y1, x2: x2 - size * 0.8 * Math.cos(angle),
          y2: y2 - size * 0.8 * Math.sin(angle) }),
        svg("polygon", { points: head.join(" ") }),
      ]);
    }

    function stateLabel(direction, t) {
      var r = state.result, T = r.T, H = r.H;
      var range = readRange(T, t, direction);
      var where = "out[0, " + t + ", " + (direction === "forward" ? ":" + H : H + ":") + "]";
      if (direction === "forward" && t === T - 1) where += " and h_n[0]";
      if (direction === "reverse" && t === 0) where += " and h_n[1]";
      var text = direction + " state at t = " + t + ", in " + where + ", reads x" +
        (direction === "forward" ? range[0] + " to x" + range[1] :
          range[1] + " down to x" + range[0]);
      if (!computedBy(direction, t)) return text + ": not computed yet at this sweep step";
      text += ": " + r[direction].state[t].map(fmt).join(", ");
      if (stateMoved(direction, t)) text += "; moved against the baseline";
      return text;
    }

    function drawState(direction, t) {
      var r = state.result, H = r.H;
      var width = H * CELL, x0 = COLUMN[direction] - width / 2, y0 = rowY(t) - CELL / 2;
      var done = computedBy(direction, t);
      var current = t === (direction === "forward" ? state.k : r.T - 1 - state.k);
      var cells = [];
      for (var u = 0; u < H; u++) {
        var value = r[direction].state[t][u];
        cells.push(svg("rect", {
          className: "bx-cell " + (done ? "bx-v" + bin(value) : "bx-pending"),
          x: x0 + u * CELL, y: y0, width: CELL, height: CELL,
          "data-unit": u, "data-value": done ? String(value) : null,
        }));
      }
      var classes = "bx-state bx-" + direction + (done ? "" : " bx-not-yet") +
        (current ? " bx-current" : "") + (stateMoved(direction, t) && done ? " bx-moved" : "");
      var range = readRange(r.T, t, direction);
      return svg("g", {
        className: classes, role: "button", tabindex: "-1",
        "data-key": direction + ":" + t, "data-direction": direction, "data-t": t,
        "data-first": direction === "forward" ? range[0] : range[1],
        "data-last": t,
        "aria-label": stateLabel(direction, t),
      }, [
        svg("title", { text: stateLabel(direction, t) }),
        svg("rect", { className: "bx-frame", x: x0 - 3, y: y0 - 3, width: width + 6,
          height: CELL + 6, rx: 3 }),
      ].concat(cells));
    }

    function drawInput(t) {
      var r = state.result, group = [];
      var x0 = COLUMN.input - (BOX_W * 3 + 4) / 2;
      var moved = state.changes && state.changes.x.indexOf(t) >= 0;
      for (var i = 0; i < r.x[t].length; i++) {
        var value = r.x[t][i], x = x0 + i * (BOX_W + 2), y = rowY(t) - BOX_H / 2;
        group.push(svg("g", {
          className: "bx-entry", role: "spinbutton", tabindex: "-1",
          "data-key": "x:" + t + ":" + i, "data-t": t, "data-i": i,
          "aria-label": "x" + t + " entry " + i,
          "aria-valuenow": String(value), "aria-valuetext": minus(inputText(value)),
          "aria-valuemin": String(-data.max_abs), "aria-valuemax": String(data.max_abs),
        }, [
          svg("rect", { x: x, y: y, width: BOX_W, height: BOX_H, rx: 3 }),
          svg("text", { x: x + BOX_W / 2, y: y + BOX_H / 2, "text-anchor": "middle",
            "dominant-baseline": "central", "aria-hidden": "true",
            text: minus(inputText(value)) }),
        ]));
      }
      return svg("g", { className: "bx-input" + (moved ? " bx-moved" : ""), "data-t": t },
        [svg("text", { className: "bx-tlabel", x: 8, y: rowY(t),
          "dominant-baseline": "central", "aria-hidden": "true", text: String(t) })]
          .concat(group));
    }

    function drawNetwork() {
      var r = state.result, T = r.T, H = r.H;
      var height = TOP + (T + 2) * ROW;
      var half = H * CELL / 2 + 3, tall = CELL / 2 + 3; // half a state's width, height
      var inLeft = COLUMN.input - (BOX_W * 3 + 4) / 2, inRight = 2 * COLUMN.input - inLeft;
      picture.setAttribute("viewBox", "0 0 " + WIDTH + " " + height);
      picture.style.aspectRatio = WIDTH + " / " + height;
      picture.textContent = "";
      picture.appendChild(svg("title", { id: id + "-net-name",
        text: "The unrolled network, T = " + T + ", H = " + H }));
      var heads = [["forward", "forward h→"], ["input", "input x"], ["reverse", "reverse h←"]];
      heads.forEach(function (head) {
        if (head[0] !== "input" && !shows(head[0])) return;
        picture.appendChild(svg("text", { className: "bx-head bx-head-" + head[0],
          x: COLUMN[head[0]], y: 14, "text-anchor": "middle", "aria-hidden": "true",
          text: head[1] }));
      });
      picture.appendChild(svg("text", { className: "bx-tlabel", x: 8, y: 14,
        "aria-hidden": "true", text: "t" }));
      var edges = svg("g", { className: "bx-edges" });
      var nodes = svg("g", { className: "bx-nodes" });
      picture.appendChild(edges);
      picture.appendChild(nodes);
      ["forward", "reverse"].forEach(function (direction) {
        if (!shows(direction)) return;
        var forward = direction === "forward", x = COLUMN[direction];
        // The zero initial state, and where the last state goes: h_n.
        var start = forward ? -1 : T, end = forward ? T : -1;
        nodes.appendChild(svg("g", { className: "bx-initial bx-" + direction,
          "aria-hidden": "true" }, [
          svg("circle", { cx: x, cy: rowY(start), r: 9 }),
          svg("text", { x: x, y: rowY(start), "text-anchor": "middle",
            "dominant-baseline": "central", text: "0" }),
          svg("text", { className: "bx-small", x: x + 14, y: rowY(start),
            "dominant-baseline": "central",
            text: forward ? "h→(−1)" : "h←(" + T + ")" }),
        ]));
        nodes.appendChild(svg("g", { className: "bx-hn-mark bx-" + direction,
          "data-hn": forward ? 0 : 1, "aria-hidden": "true" }, [
          svg("text", { x: x, y: rowY(end) + (forward ? -2 : 6), "text-anchor": "middle",
            "dominant-baseline": "central", text: forward ? "h_n[0]" : "h_n[1]" }),
        ]));
        var last = forward ? T - 1 : 0;
        edges.appendChild(arrow(x, rowY(last) + (forward ? tall : -tall), x,
          rowY(end) + (forward ? -12 : 14), "bx-" + direction + " bx-out-edge" +
          (computedBy(direction, last) ? "" : " bx-not-yet"), direction + ":hn"));
        for (var t = 0; t < T; t++) {
          var from = forward ? t - 1 : t + 1;
          var fromY = rowY(from) + (forward ? 1 : -1) * (from === start ? 9 : tall);
          var done = computedBy(direction, t) ? "" : " bx-not-yet";
          edges.appendChild(arrow(x, fromY, x, rowY(t) + (forward ? -tall : tall),
            "bx-" + direction + " bx-chain" + done, direction + ":" + from + ">" + t));
          edges.appendChild(arrow(forward ? inLeft - 2 : inRight + 2, rowY(t),
            forward ? x + half : x - half, rowY(t), "bx-" + direction + " bx-feed" + done,
            direction + ":x" + t));
          nodes.appendChild(drawState(direction, t));
        }
      });
      for (var t = 0; t < T; t++) nodes.appendChild(drawInput(t));
      highlight();
    }

    /** Marks what the focused (or pointed at) state has read, or what reads an input. */
    function highlight() {
      var r = state.result;
      // A state or input pointed at or focused is gone once the input is shorter.
      ["hover", "focus"].forEach(function (which) {
        if (state[which] && Number(state[which].split(":")[1]) >= r.T) state[which] = null;
      });
      var key = state.hover || state.focus;
      root.classList.toggle("bx-highlighting", !!key);
      root.querySelectorAll(".bx-lit").forEach(function (node) {
        node.classList.remove("bx-lit");
      });
      if (!key) { showReadout(null); return; }
      var parts = key.split(":");
      var lit = [];
      if (parts[0] === "x") {
        var i = Number(parts[1]);
        lit.push('.bx-input[data-t="' + i + '"]');
        for (var t = 0; t < r.T; t++) {
          if (t >= i) lit.push('.bx-state[data-key="forward:' + t + '"]');
          if (t <= i) lit.push('.bx-state[data-key="reverse:' + t + '"]');
          if (t >= i) lit.push('[data-cell="forward:' + t + '"]');
          if (t <= i) lit.push('[data-cell="reverse:' + t + '"]');
        }
      } else {
        var direction = parts[0], at = Number(parts[1]), range = readRange(r.T, at, direction);
        for (var s = range[0]; s <= range[1]; s++) {
          lit.push('.bx-input[data-t="' + s + '"]');
          lit.push('.bx-state[data-key="' + direction + ":" + s + '"]');
          lit.push('[data-edge="' + direction + ":x" + s + '"]');
          var from = direction === "forward" ? s - 1 : s + 1;
          lit.push('[data-edge="' + direction + ":" + from + ">" + s + '"]');
        }
        lit.push('[data-cell="' + direction + ":" + at + '"]');
        if (direction === "forward" && at === r.T - 1) {
          lit.push('[data-hn="0"]', '[data-edge="forward:hn"]');
        }
        if (direction === "reverse" && at === 0) {
          lit.push('[data-hn="1"]', '[data-edge="reverse:hn"]');
        }
      }
      root.querySelectorAll(lit.join(",")).forEach(function (node) {
        node.classList.add("bx-lit");
      });
      showReadout(parts);
    }

    /** The numbers of the state or input under the pointer or focus, in one line. */
    function showReadout(parts) {
      readout.textContent = "";
      var r = state.result;
      if (!parts) {
        readout.appendChild(document.createTextNode("Point at a state or an input, or " +
          "focus one, to see its numbers here."));
        return;
      }
      if (parts[0] === "x") {
        var i = Number(parts[1]);
        readout.appendChild(el("span", { "data-readout": "x:" + i }, [
          sym("x", i), " = [" + xText(r.x[i]) + "] is read by the forward states at t ≥ " +
            i + " and the reverse states at t ≤ " + i + " (highlighted).",
        ]));
        return;
      }
      var direction = parts[0], t = Number(parts[1]);
      var arrowSign = direction === "forward" ? "→" : "←";
      var children = [sym("h", t, arrowSign), " = "];
      if (computedBy(direction, t)) {
        children.push(vector(r[direction].state[t]));
        var b = state.changes ? state.baseline.result[direction].state[t] : null;
        if (b) {
          children.push(" (Δ " + r[direction].state[t].map(function (v, u) {
            return delta(v - b[u]);
          }).join(", ") + ")");
        }
      } else {
        children.push("not computed yet at sweep step k = " + state.k);
      }
      children.push("; has read ", reads(r.T, t, direction), "; in ",
        el("code", { text: "out[0, " + t + ", " + (direction === "forward" ? ":" + r.H :
          r.H + ":") + "]" }));
      if (direction === "forward" && t === r.T - 1) {
        children.push(" and ", el("code", { text: "h_n[0]" }));
      }
      if (direction === "reverse" && t === 0) {
        children.push(" and ", el("code", { text: "h_n[1]" }));
      }
      children.push(".");
      readout.appendChild(el("span", { "data-readout": direction + ":" + t }, children));
    }

    // --- The two states of this sweep step, term by term --------------------------------

    function card(direction, t) {
      var r = state.result, T = r.T;
      var part = r[direction];
      var forward = direction === "forward";
      var arrowSign = forward ? "→" : "←";
      var before = forward ? t - 1 : t + 1;
      var rows = [
        [[sym("x", t)], xText(r.x[t]), "x"],
        [[sym("W", "ih", arrowSign), " ", sym("x", t), " + ", sym("b", "ih", arrowSign)],
          vector(part.input[t]), "input"],
        [[sym("W", "hh", arrowSign), " ", sym("h", before, arrowSign), " + ",
          sym("b", "hh", arrowSign)], vector(part.recurrent[t]), "recurrent"],
        [[sym("h", t, arrowSign), " = tanh(sum)"], vector(part.state[t]), "state"],
        [["has read"], reads(T, t, direction), "read"],
      ];
      var title = (forward ? "Forward" : "Reverse") + " direction, t = " + t;
      var note = before === -1 || before === T ?
        el("p", { className: "bx-note" }, [sym("h", before, arrowSign),
          " is the initial state, zero: the recurrent term is ", sym("b", "hh", arrowSign),
          " alone."]) : null;
      return el("section", {
        className: "bx-card bx-" + direction, "data-direction": direction, "data-t": t,
        "aria-labelledby": id + "-card-" + direction,
      }, [
        el("h4", { id: id + "-card-" + direction, text: title }),
        el("table", { className: "bx-terms" }, [el("tbody", {}, rows.map(function (row) {
          return el("tr", { "data-q": row[2] }, [
            el("th", { scope: "row" }, row[0]),
            el("td", {}, [row[1]]),
          ]);
        }))]),
        note,
      ]);
    }

    // --- out[0] and h_n, in numbers ---------------------------------------------------------

    function outTable() {
      var r = state.result, T = r.T, H = r.H;
      var base = state.changes ? state.baseline.result : null;
      var head = [el("th", { scope: "col", text: "t" }),
        el("th", { scope: "col", text: "half" })];
      for (var u = 0; u < H; u++) {
        head.push(el("th", { scope: "col", text: "unit " + u }));
      }
      var body = [];
      for (var t = 0; t < T; t++) {
        var halves = ["forward", "reverse"].filter(shows);
        halves.forEach(function (direction, n) {
          var forward = direction === "forward";
          var current = t === (forward ? state.k : T - 1 - state.k);
          var done = computedBy(direction, t);
          var inHn = forward ? (t === T - 1 ? "h_n[0]" : "") : (t === 0 ? "h_n[1]" : "");
          var cells = [];
          if (n === 0) {
            cells.push(el("th", { scope: "rowgroup", rowspan: String(halves.length),
              className: "bx-t", text: String(t) }));
          }
          cells.push(el("th", { scope: "row", className: "bx-half bx-" + direction }, [
            forward ? "fwd" : "rev",
            inHn ? el("span", { className: "bx-in-hn", "data-in-hn": inHn,
              text: inHn }) : null,
          ]));
          for (var u = 0; u < H; u++) {
            var value = r[direction].state[t][u];
            var content = [el("span", { "aria-hidden": "true", text: "·" }),
              el("span", { className: "bx-sr", text: "not computed yet" })];
            if (done) {
              content = [num(value)];
              if (base) {
                var d = value - base[direction].state[t][u];
                content.push(el("span", {
                  className: "bx-delta" + (Math.abs(d) > CHANGE_ATOL ? " bx-changed" : ""),
                  "data-delta": String(d),
                  text: "Δ " + delta(d),
                }));
              }
            }
            cells.push(el("td", {
              className: "bx-" + direction + (done ? " bx-v" + bin(value) : " bx-pending") +
                (current ? " bx-current" : ""),
              "data-direction": direction, "data-unit": u, "data-cell": direction + ":" + t,
            }, content));
          }
          body.push(el("tr", { "data-t": t, "data-direction": direction,
            className: n === 0 ? "bx-first" : "" }, cells));
        });
      }
      return el("table", { className: "bx-out" }, [
        el("thead", {}, [el("tr", {}, head)]),
        el("tbody", {}, body),
      ]);
    }

    function hnPart(index, direction, t) {
      var r = state.result, H = r.H;
      var slice = direction === "forward" ? ":" + H : H + ":";
      return el("p", { "data-hn": index, className: "bx-" + direction }, [
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
      if (shows("forward")) hn.appendChild(hnPart(0, "forward", r.T - 1));
      if (shows("reverse")) hn.appendChild(hnPart(1, "reverse", 0));
    }

    function showChanges() {
      changes.textContent = "";
      var b = state.baseline;
      pinButton.textContent = b ? "Pin this input instead" : "Pin as baseline";
      unpinButton.disabled = !b;
      if (!b) {
        changes.textContent = "Pin the input as a baseline, then change it: every number " +
          "shows its change (Δ), and the picture marks the states that moved.";
        return;
      }
      var described = "T = " + b.result.T + ", H = " + b.H + ": " +
        b.result.x.map(xText).join("; ");
      if (!state.changes) {
        changes.textContent = "The baseline (" + described + ") has another T or H: " +
          "no Δ until the input has its shape again.";
        return;
      }
      var c = state.changes;
      changes.appendChild(el("span", { "data-changes": "all" }, [
        "Against the baseline (" + described + "): x differs at ",
        el("span", { "data-changes": "x", text: stepsText(c.x) }),
        "; forward states moved at ",
        el("span", { "data-changes": "forward", text: stepsText(c.forward) }),
        "; reverse states moved at ",
        el("span", { "data-changes": "reverse", text: stepsText(c.reverse) }),
        ".",
      ]));
    }

    function stepText() {
      var T = state.result.T, k = state.k;
      return "Sweep step k = " + k + " of 0 to " + (T - 1) + ": the forward direction " +
        "computes its state at t = " + k + ", the reverse direction its state at t = " +
        (T - 1 - k) + "." + (k === T - 1 ? " Both sweeps are done: h_n is complete." : "");
    }

    function showStep() {
      var r = state.result, T = r.T, k = state.k;
      slider.max = String(T - 1);
      slider.value = String(k);
      slider.setAttribute("aria-valuetext", "k = " + k + ": forward t = " + k +
        ", reverse t = " + (T - 1 - k));
      var focused = document.activeElement;
      previousButton.disabled = k === 0;
      nextButton.disabled = k === T - 1;
      // A button that just became disabled would drop the focus to the page.
      if (focused === previousButton && previousButton.disabled) nextButton.focus();
      if (focused === nextButton && nextButton.disabled) previousButton.focus();
      now.textContent = stepText();
      cards.textContent = "";
      if (shows("forward")) cards.appendChild(card("forward", k));
      if (shows("reverse")) cards.appendChild(card("reverse", T - 1 - k));
      table.textContent = "";
      table.appendChild(outTable());
      showHn();
      redrawKeepingFocus();
    }

    function redrawKeepingFocus() {
      var active = document.activeElement;
      var key = active && picture.contains(active) ? active.getAttribute("data-key") : null;
      drawNetwork();
      rove();
      if (key) {
        var again = picture.querySelector('[data-key="' + key + '"]');
        if (again) { again.focus(); }
      }
    }

    function showAll() {
      showWeights();
      showChanges();
      showStep();
    }

    // --- Reacting to the reader -------------------------------------------------------------

    var pendingProblem = null;

    /** Recompute from text and H; bad input keeps the last good result and says why. */
    function run(text, H, quiet) {
      var x;
      try {
        x = parseSequence(text, rules);
      } catch (error) {
        message.textContent = "⚠ " + error.message + " (still showing the last good input)";
        field.setAttribute("aria-invalid", "true");
        root.classList.add("bx-has-error");
        window.clearTimeout(pendingProblem);
        // Said once the reader pauses, not at every key.
        pendingProblem = window.setTimeout(function () { say(message.textContent); }, 900);
        return false;
      }
      window.clearTimeout(pendingProblem);
      message.textContent = "";
      field.removeAttribute("aria-invalid");
      root.classList.remove("bx-has-error");
      var result = explore(x, H, data.layers[String(H)]);
      var previous = state.result;
      if (!previous || result.T !== previous.T) state.k = result.T - 1; // both sweeps done
      state.result = result;
      state.H = H;
      state.changes = state.baseline ? changedSteps(state.baseline.result, result) : null;
      showAll();
      if (!quiet && previous) {
        var moved = changedSteps(previous, result);
        if (moved && moved.x.length) {
          say("x changed at " + stepsText(moved.x) + ": forward states moved at " +
            stepsText(moved.forward) + ", reverse states at " + stepsText(moved.reverse) + ".");
        }
      }
      return true;
    }

    field.addEventListener("input", function () { run(field.value, state.H, true); });
    size.addEventListener("change", function () {
      // The sequence in the field, with the new size; if the field holds text that
      // cannot be used, the size goes back with the rest of the last good result.
      if (!run(field.value, Number(size.value), true)) size.value = String(state.H);
    });
    radios.forEach(function (choice) {
      choice.querySelector("input").addEventListener("change", function (event) {
        state.direction = event.target.value;
        showStep();
      });
    });

    function moveTo(k, announce) {
      state.k = Math.max(0, Math.min(state.result.T - 1, k));
      showStep();
      if (announce) say(stepText());
    }
    slider.addEventListener("input", function () { moveTo(Number(slider.value), false); });
    previousButton.addEventListener("click", function () { stop(); moveTo(state.k - 1, true); });
    nextButton.addEventListener("click", function () { stop(); moveTo(state.k + 1, true); });

    function stop() {
      if (state.playing === null) return;
      window.clearInterval(state.playing);
      state.playing = null;
      playButton.textContent = "Play";
    }
    playButton.addEventListener("click", function () {
      if (state.playing !== null) { stop(); say("Paused at " + stepText()); return; }
      if (state.k === state.result.T - 1) moveTo(0, false);
      playButton.textContent = "Pause";
      say("Playing from " + stepText());
      state.playing = window.setInterval(function () {
        if (state.k >= state.result.T - 1) { stop(); say(stepText()); return; }
        moveTo(state.k + 1, false);
        if (state.k >= state.result.T - 1) { stop(); say(stepText()); }
      }, PLAY_MS);
    });

    pinButton.addEventListener("click", function () {
      state.baseline = { result: state.result, H: state.H };
      state.changes = changedSteps(state.baseline.result, state.result);
      showChanges();
      showStep();
      say("Pinned as the baseline: change the input to see what moves.");
    });
    unpinButton.addEventListener("click", function () {
      state.baseline = null;
      state.changes = null;
      showChanges();
      showStep();
      pinButton.focus();
      say("Baseline removed.");
    });

    // --- Inputs nudged from the picture ------------------------------------------------------

    function writeBack(x) {
      // The sequence back into the field, in the form the reader used (lines or ;).
      var joiner = /\n/.test(field.value.trim()) || !/;/.test(field.value) ? "\n" : "; ";
      field.value = x.map(function (row) {
        return row.map(inputText).join(", ");
      }).join(joiner);
    }

    function nudge(t, i, amount) {
      var x = state.result.x.map(function (row) { return row.slice(); });
      var value = Math.round((x[t][i] + amount) * 1e6) / 1e6;
      x[t][i] = Math.max(-data.max_abs, Math.min(data.max_abs, value));
      if (x[t][i] === state.result.x[t][i]) return;
      writeBack(x);
      run(field.value, state.H, false);
    }

    // --- The picture from the keyboard: one Tab stop for the states, one for the inputs --

    var lastState = null, lastEntry = "x:0:0";

    function rove() {
      // Exactly one state and one input entry take part in the Tab order.
      var states = picture.querySelectorAll(".bx-state");
      var entries = picture.querySelectorAll(".bx-entry");
      if (!states.length && !entries.length) return;
      var wantState = lastState && picture.querySelector('[data-key="' + lastState + '"]') ?
        lastState : (states[0] && states[0].getAttribute("data-key"));
      var wantEntry = picture.querySelector('[data-key="' + lastEntry + '"]') ? lastEntry :
        "x:0:0";
      states.forEach(function (node) {
        node.setAttribute("tabindex", node.getAttribute("data-key") === wantState ? "0" : "-1");
      });
      entries.forEach(function (node) {
        node.setAttribute("tabindex", node.getAttribute("data-key") === wantEntry ? "0" : "-1");
      });
    }

    function focusKey(key) {
      var node = picture.querySelector('[data-key="' + key + '"]');
      if (!node) return;
      if (node.classList.contains("bx-state")) lastState = key; else lastEntry = key;
      rove();
      node.focus();
    }

    picture.addEventListener("focusin", function (event) {
      var key = event.target.getAttribute && event.target.getAttribute("data-key");
      if (!key) return;
      if (key.charAt(0) === "x") lastEntry = key; else lastState = key;
      state.focus = key.charAt(0) === "x" ? "x:" + key.split(":")[1] : key;
      rove();
      highlight();
    });
    picture.addEventListener("focusout", function (event) {
      if (!picture.contains(event.relatedTarget)) { state.focus = null; highlight(); }
    });
    picture.addEventListener("pointerover", function (event) {
      var node = event.target.closest && event.target.closest("[data-key]");
      var key = node ? node.getAttribute("data-key") : null;
      if (key && key.charAt(0) === "x") key = "x:" + key.split(":")[1];
      if (key !== state.hover && !dragging) { state.hover = key; highlight(); }
    });
    picture.addEventListener("pointerleave", function () {
      if (!dragging) { state.hover = null; highlight(); }
    });

    picture.addEventListener("keydown", function (event) {
      var node = event.target, key = node.getAttribute && node.getAttribute("data-key");
      if (!key) return;
      var r = state.result, parts = key.split(":"), handled = true;
      if (parts[0] === "x") {
        var t = Number(parts[1]), i = Number(parts[2]), n = t * data.input_size + i;
        var big = event.shiftKey;
        if (event.key === "ArrowUp") nudge(t, i, big ? 1 : NUDGE);
        else if (event.key === "ArrowDown") nudge(t, i, big ? -1 : -NUDGE);
        else if (event.key === "PageUp") nudge(t, i, 1);
        else if (event.key === "PageDown") nudge(t, i, -1);
        else if (event.key === "ArrowRight" || event.key === "ArrowLeft") {
          n = Math.max(0, Math.min(r.T * data.input_size - 1,
            n + (event.key === "ArrowRight" ? 1 : -1)));
          focusKey("x:" + Math.floor(n / data.input_size) + ":" + (n % data.input_size));
        } else handled = false;
      } else {
        var direction = parts[0], at = Number(parts[1]);
        // Left is the forward chain, right the reverse one, as drawn.
        var other = event.key === "ArrowLeft" ? "forward" : "reverse";
        if (event.key === "ArrowUp") focusKey(direction + ":" + Math.max(0, at - 1));
        else if (event.key === "ArrowDown") focusKey(direction + ":" + Math.min(r.T - 1, at + 1));
        else if (event.key === "Home") focusKey(direction + ":0");
        else if (event.key === "End") focusKey(direction + ":" + (r.T - 1));
        else if ((event.key === "ArrowLeft" || event.key === "ArrowRight") && shows(other)) {
          focusKey(other + ":" + at);
        } else if (event.key === "Enter" || event.key === " ") {
          stop();
          moveTo(direction === "forward" ? at : r.T - 1 - at, true);
        } else handled = false;
      }
      if (handled) event.preventDefault();
    });

    // Dragging an input up or down nudges it, one step per DRAG_PX pixels.
    var dragging = null;
    picture.addEventListener("pointerdown", function (event) {
      var node = event.target.closest && event.target.closest(".bx-entry");
      if (!node) return;
      var t = Number(node.getAttribute("data-t")), i = Number(node.getAttribute("data-i"));
      dragging = { t: t, i: i, y: event.clientY, value: state.result.x[t][i], steps: 0 };
      picture.setPointerCapture(event.pointerId);
      focusKey(node.getAttribute("data-key"));
      event.preventDefault();
    });
    picture.addEventListener("pointermove", function (event) {
      if (!dragging) return;
      var steps = Math.round((dragging.y - event.clientY) / DRAG_PX);
      if (steps === dragging.steps) return;
      dragging.steps = steps;
      var wanted = Math.round((dragging.value + steps * NUDGE) * 1e6) / 1e6;
      nudge(dragging.t, dragging.i, wanted - state.result.x[dragging.t][dragging.i]);
    });
    function endDrag() { dragging = null; }
    picture.addEventListener("pointerup", endDrag);
    picture.addEventListener("pointercancel", endDrag);

    // Dark mode is switched on <html>; the colours follow by CSS alone.
    run(field.value, data.default_hidden_size, true);
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
