"""The player's HTML snippet: the final frame as an image, replaced by a small script.

Without JavaScript (or before it runs) the snippet is a plain ``<img>`` of the final frame
and a link to the GIF. The script, inline and self-contained (no external file, no
server; it works from ``file://``), swaps the image for the static background with a
canvas on top and draws each frame itself from the embedded JSON: the data, every step's
parameters and the pixel geometry of the panels. It computes what
:mod:`compare.player.scene` computes (responsibilities, the lecture's colouring, densities,
Cholesky ellipses); ``MATH_JS`` holds those functions so that a test can run them.
"""

from __future__ import annotations

import html
import json
from typing import Any

import numpy as np

from .history import Track
from .scene import component_colours

__all__ = ["DIGITS", "MATH_JS", "PLAYER_JS", "player_data", "player_html", "rounded"]

# Significant digits of the numbers in the embedded JSON: far below a pixel, and a third of
# the bytes of full precision.
DIGITS = 6

MATH_JS = r"""
var EMP = {
  logJoint: function (x, w, mu, cov) {
    var out = [];
    for (var k = 0; k < w.length; k++) {
      if (x.length === 1) {
        var v = cov[k][0][0], d = x[0] - mu[k][0];
        out.push(Math.log(w[k]) - 0.5 * Math.log(2 * Math.PI * v) - 0.5 * d * d / v);
      } else {
        var a = cov[k][0][0], b = cov[k][0][1], c = cov[k][1][1], det = a * c - b * b;
        var d0 = x[0] - mu[k][0], d1 = x[1] - mu[k][1];
        var q = (c * d0 * d0 - 2 * b * d0 * d1 + a * d1 * d1) / det;
        out.push(Math.log(w[k]) - Math.log(2 * Math.PI) - 0.5 * Math.log(det) - 0.5 * q);
      }
    }
    return out;
  },
  argBest: function (values, larger) {
    var best = 0;
    for (var k = 1; k < values.length; k++) {
      if (larger ? values[k] > values[best] : values[k] < values[best]) best = k;
    }
    return best;
  },
  oneHot: function (k, n) {
    var out = [];
    for (var j = 0; j < n; j++) out.push(j === k ? 1 : 0);
    return out;
  },
  resp: function (assign, x, w, mu, cov) {
    var n = mu.length;
    if (assign === "nearest") {
      var dist = mu.map(function (m) {
        var s = 0;
        for (var j = 0; j < x.length; j++) s += (x[j] - m[j]) * (x[j] - m[j]);
        return s;
      });
      return EMP.oneHot(EMP.argBest(dist, false), n);
    }
    var lj = EMP.logJoint(x, w, mu, cov);
    if (assign === "hard") return EMP.oneHot(EMP.argBest(lj, true), n);
    var top = Math.max.apply(null, lj), total = 0;
    var p = lj.map(function (v) { var e = Math.exp(v - top); total += e; return e; });
    return p.map(function (v) { return v / total; });
  },
  blend: function (r, colours) {
    var rgb = [0, 0, 0];
    for (var k = 0; k < r.length; k++) {
      for (var j = 0; j < 3; j++) rgb[j] += r[k] * colours[k][j];
    }
    return rgb.map(function (v) { return Math.min(255, Math.max(0, Math.round(v))); });
  },
  density: function (x, w, mu, v) {
    var d = x - mu;
    return w * Math.exp(-0.5 * d * d / v) / Math.sqrt(2 * Math.PI * v);
  },
  ellipse: function (mu, cov, nSigma, points) {
    var l00 = Math.sqrt(cov[0][0]), l10 = cov[1][0] / l00;
    var l11 = Math.sqrt(Math.max(cov[1][1] - l10 * l10, 0)), out = [];
    for (var i = 0; i < points; i++) {
      var a = 2 * Math.PI * i / (points - 1), c = Math.cos(a), s = Math.sin(a);
      out.push([mu[0] + nSigma * l00 * c, mu[1] + nSigma * (l10 * c + l11 * s)]);
    }
    return out;
  }
};
"""

PLAYER_JS = r"""
(function () {
  var root = document.currentScript.parentNode;
  var D = JSON.parse(root.querySelector("script.emp-data").textContent);
  var G = D.geometry, S = G.style, W = G.size[0], H = G.size[1];
  var img = root.querySelector("img.emp-final");
  var stage = document.createElement("div");
  stage.className = "emp-stage";
  var bg = new Image();
  bg.src = D.background; bg.width = W; bg.height = H; bg.alt = img.alt;
  var cv = document.createElement("canvas");
  var dpr = window.devicePixelRatio || 1;
  cv.width = Math.round(W * dpr); cv.height = Math.round(H * dpr);
  stage.appendChild(bg); stage.appendChild(cv);
  img.parentNode.replaceChild(stage, img);
  var ctx = cv.getContext("2d");
  var controls = root.querySelector(".emp-controls");
  controls.hidden = false;
  var slider = controls.querySelector("input"), counter = controls.querySelector(".emp-counter");
  var playButton = controls.querySelector(".emp-play");
  slider.max = D.frames - 1;
  var css = function (rgb) { return "rgb(" + rgb.join(",") + ")"; };
  var colours = D.colours.map(css);

  function px(m, x, y) { return [m.map[0] * x + m.map[1], m.map[2] * y + m.map[3]]; }
  function clip(m) {
    ctx.save(); ctx.beginPath(); ctx.rect(m.clip[0], m.clip[1], m.clip[2], m.clip[3]); ctx.clip();
  }
  function line(points, colour, width, dashes) {
    ctx.beginPath(); ctx.setLineDash(dashes || []);
    points.forEach(function (p, i) { if (i) ctx.lineTo(p[0], p[1]); else ctx.moveTo(p[0], p[1]); });
    ctx.strokeStyle = colour; ctx.lineWidth = width; ctx.stroke();
  }
  function dot(p, r, fill, stroke) {
    ctx.beginPath(); ctx.arc(p[0], p[1], r, 0, 2 * Math.PI); ctx.fillStyle = fill; ctx.fill();
    if (stroke) { ctx.strokeStyle = stroke; ctx.lineWidth = 1; ctx.stroke(); }
  }

  function drawTrack(tr, P, t) {
    var s = Math.min(t, tr.mu.length - 1), last = tr.mu.length - 1;
    var w = tr.w[s], mu = tr.mu[s], cov = tr.cov ? tr.cov[s] : null, K = mu.length;
    var m = P.data;
    clip(m);
    D.X.forEach(function (x, n) {
      var r = EMP.resp(tr.assign, x, w, mu, cov);
      var p = D.dim === 1 ? px(m, x[0], P.strip[n]) : px(m, x[0], x[1]);
      dot(p, S.point_radius, css(EMP.blend(r, D.colours)));
    });
    if (D.dim === 1) {
      if (cov) {
        var curves = [];
        for (var k = 0; k <= K; k++) curves.push([]);
        for (var c = m.clip[0]; c <= m.clip[0] + m.clip[2]; c += 2) {
          var x = (c - m.map[1]) / m.map[0], total = 0;
          for (k = 0; k < K; k++) {
            var f = EMP.density(x, w[k], mu[k][0], cov[k][0][0]);
            total += f;
            curves[k].push([c, m.map[2] * f + m.map[3]]);
          }
          curves[K].push([c, m.map[2] * total + m.map[3]]);
        }
        for (k = 0; k < K; k++) line(curves[k], colours[k], S.density_lw);
        line(curves[K], "#000", S.mixture_lw, S.mixture_dashes);
      } else {
        for (k = 0; k < K; k++) {
          line([px(m, mu[k][0], 0), px(m, mu[k][0], P.top)], colours[k], S.density_lw);
        }
      }
    } else {
      for (k = 0; k < K; k++) {
        if (cov) {
          [1, 2].forEach(function (n, i) {
            line(EMP.ellipse(mu[k], cov[k], n, 49).map(function (q) { return px(m, q[0], q[1]); }),
                 colours[k], S.sigma_lw[i]);
          });
        }
        var path = [];
        for (var j = 0; j <= s; j++) path.push(px(m, tr.mu[j][k][0], tr.mu[j][k][1]));
        line(path, "#000", S.path_lw);
        path.forEach(function (p) { dot(p, 1.5, "#000"); });
        dot(path[s], S.centre_radius, colours[k], "#000");
      }
    }
    ctx.restore();
    ctx.fillStyle = "#000"; ctx.font = S.font_px + "px sans-serif"; ctx.textAlign = "right";
    ctx.textBaseline = "top";
    ctx.fillText("step " + s + " of " + last + (s === last ? " (done)" : ""),
                 P.counter[0], P.counter[1]);
    clip(P.objective);
    dot(px(P.objective, s, P.objective_y[s]), 3.5 * G.px_per_pt, "#d62728", "#000");
    ctx.restore();
  }

  var t = D.frames - 1, timer = null;
  function show(frame) {
    t = Math.max(0, Math.min(D.frames - 1, frame));
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    ctx.clearRect(0, 0, W, H);
    D.tracks.forEach(function (tr, i) { drawTrack(tr, G.panels[i], t); });
    slider.value = t;
    counter.textContent = "iteration " + t + " of " + (D.frames - 1);
  }
  function stop() {
    if (timer) { clearInterval(timer); timer = null; }
    playButton.textContent = "\u25B6 play";
  }
  function play() {
    if (t >= D.frames - 1) show(0);
    playButton.textContent = "\u275A\u275A pause";
    timer = setInterval(function () {
      if (t >= D.frames - 1) stop(); else show(t + 1);
    }, D.interval);
  }
  playButton.onclick = function () { if (timer) stop(); else play(); };
  controls.querySelector(".emp-back").onclick = function () { stop(); show(t - 1); };
  controls.querySelector(".emp-forward").onclick = function () { stop(); show(t + 1); };
  slider.oninput = function () { stop(); show(+slider.value); };
  bg.onload = function () { show(t); };
  show(t);
})();
"""

STYLE = (
    ".emp-stage{position:relative;display:inline-block;max-width:100%}"
    ".emp-stage img{display:block;max-width:100%;height:auto}"
    ".emp-stage canvas{position:absolute;left:0;top:0;width:100%;height:100%}"
    ".emp-controls{margin:0.3em 0;font-size:0.9em}"
    ".emp-controls button{margin-right:0.3em}"
    ".emp-controls input{vertical-align:middle;width:40%}"
)


def rounded(values: Any) -> Any:
    """``values`` as nested lists of floats with :data:`DIGITS` significant digits."""
    arr = np.asarray(values, dtype=np.float64)
    flat = [float(f"{v:.{DIGITS}g}") for v in arr.ravel()]
    return np.array(flat).reshape(arr.shape).tolist()


def _jsonable(value: Any) -> Any:
    """Dicts and lists kept, numbers rounded (:func:`rounded`), strings as they are."""
    if isinstance(value, dict):
        return {key: _jsonable(item) for key, item in value.items()}
    if isinstance(value, str):
        return value
    if isinstance(value, list | tuple) and any(isinstance(v, dict | str) for v in value):
        return [_jsonable(v) for v in value]
    return rounded(value)


def player_data(
    X: np.ndarray,
    tracks: list[Track],
    geometry: dict,
    *,
    background: str,
    interval_ms: int,
) -> dict:
    """The JSON document the script draws from.

    Parameters
    ----------
    X : ndarray of shape (N, D)
    tracks : list of Track
    geometry : dict
        :meth:`compare.player.frames.PlayerFigure.geometry`.
    background : str
        Relative URL of the static background image.
    interval_ms : int
        Time per frame when playing.
    """
    colours = np.rint(255 * component_colours(tracks[0].means.shape[1])).astype(int)
    return {
        "dim": X.shape[1],
        "frames": max(t.n_steps for t in tracks),
        "interval": int(interval_ms),
        "background": background,
        "colours": colours.tolist(),
        "X": rounded(X),
        "geometry": _jsonable(geometry),
        "tracks": [
            {
                "name": t.name,
                "assign": t.assignment,
                "w": rounded(t.weights),
                "mu": rounded(t.means),
                "cov": None if t.covariances is None else rounded(t.covariances),
            }
            for t in tracks
        ],
    }


def player_html(
    data: dict, *, title: str, final_src: str, gif_src: str, size: tuple[int, int]
) -> str:
    """The snippet: heading, final-frame image, hidden controls, data and script.

    Parameters
    ----------
    data : dict
        :func:`player_data`.
    title : str
        Shown as the heading (escaped).
    final_src, gif_src : str
        Relative URLs of the final frame (PNG) and the animated GIF.
    size : (int, int)
        Width and height of the images in pixels.
    """
    # "</" cannot appear inside a <script> element.
    payload = json.dumps(data, separators=(",", ":"), allow_nan=False).replace("</", "<\\/")
    width, height = size
    alt = f"{title}: the final iteration of every algorithm"
    return (
        f"<div class='em-player'><style>{STYLE}</style>"
        f"<h3>{html.escape(title)}</h3>"
        f"<img class='emp-final' src='{html.escape(final_src)}' width='{width}' "
        f"height='{height}' alt='{html.escape(alt)}' style='max-width:100%;height:auto'>"
        "<div class='emp-controls' hidden>"
        "<button type='button' class='emp-back'>&#9664; step</button>"
        "<button type='button' class='emp-play'>&#9654; play</button>"
        "<button type='button' class='emp-forward'>step &#9654;</button>"
        "<input type='range' min='0' step='1' aria-label='iteration'> "
        "<span class='emp-counter'></span></div>"
        f"<p><small>Animated GIF: <a href='{html.escape(gif_src)}'>{html.escape(gif_src)}</a>."
        "</small></p>"
        f"<script type='application/json' class='emp-data'>{payload}</script>"
        f"<script>{MATH_JS}{PLAYER_JS}</script></div>"
    )
