// The local ECS console. Everything arrives over one server-sent event
// stream (events?region=&cluster=&service=); the page never polls. The only
// requests that change anything go to the emulator's own endpoints:
// POST /_local/scenario and POST /_local/advance.
"use strict";

const $ = (id) => document.getElementById(id);
const SVGNS = "http://www.w3.org/2000/svg";

function el(tag, attrs, ...kids) {
  const n = tag.startsWith("svg:") ? document.createElementNS(SVGNS, tag.slice(4)) : document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k === "class") n.setAttribute("class", v);
    else if (k === "text") n.textContent = v;
    else n.setAttribute(k, v === true ? "" : String(v));
  }
  for (const k of kids) if (k !== null && k !== undefined) n.append(k);
  return n;
}

const state = {
  focus: null, // {region, cluster, service}
  source: null,
  clock: null,
  scenarioDirty: false,
  scenarioText: "",
  timelinePick: null,
  lastService: null,
};
// When each deployment first appeared on the page (ms since the epoch), for
// measuring how long a change takes to show.
window.consoleSeen = {};

function hhmmss(iso) {
  if (!iso) return "";
  const d = new Date(iso);
  return d.toISOString().slice(11, 19);
}
function shortId(id) {
  id = (id || "").replace(/^ecs-svc\//, "");
  return id.length > 8 ? id.slice(-8) : id;
}
function shortTG(arn) {
  const m = /targetgroup\/([^/]+)/.exec(arn || "");
  return m ? m[1] : arn;
}
function shortTD(arn) {
  const i = (arn || "").lastIndexOf("/");
  return i >= 0 ? arn.slice(i + 1) : arn;
}

// ---- routing ---------------------------------------------------------------

function parseHash() {
  const parts = location.hash.replace(/^#\/?/, "").split("/").map(decodeURIComponent);
  if (parts.length === 3 && parts.every((p) => p)) return { region: parts[0], cluster: parts[1], service: parts[2] };
  return null;
}
function hashFor(region, cluster, service) {
  return "#/" + [region, cluster, service].map(encodeURIComponent).join("/");
}

function connect() {
  if (state.source) state.source.close();
  const f = state.focus;
  const q = f ? "?" + new URLSearchParams({ region: f.region, cluster: f.cluster, service: f.service }) : "";
  const src = new EventSource("events" + q);
  state.source = src;
  src.onopen = () => setConn("Live", "live");
  src.onerror = () => setConn(src.readyState === EventSource.CLOSED ? "Disconnected" : "Reconnecting…", "down");
  src.addEventListener("clock", (e) => renderClock(JSON.parse(e.data)));
  src.addEventListener("clusters", (e) => renderClusters(JSON.parse(e.data) || []));
  src.addEventListener("scenario", (e) => renderScenario(JSON.parse(e.data)));
  src.addEventListener("service", (e) => renderService(JSON.parse(e.data)));
}

function setConn(text, cls) {
  const c = $("conn");
  if (c.textContent !== text) c.textContent = text;
  c.className = "conn " + cls;
}

function route() {
  state.focus = parseHash();
  state.timelinePick = null;
  state.lastService = null;
  $("service").hidden = !state.focus;
  $("empty").hidden = !!state.focus;
  markCurrent();
  connect();
}

// ---- clock and time --------------------------------------------------------

function renderClock(c) {
  state.clock = c;
  state.clockAt = Date.now();
  showClock();
  $("speed").textContent = c.manual ? "(manual clock)" : "(" + c.speed + "× real time)";
  $("time-section").hidden = !c.manual;
}
// Between updates a running clock is advanced locally at its speed.
function showClock() {
  const c = state.clock;
  if (!c) return;
  let ms = Date.parse(c.now);
  if (!c.manual) ms += (Date.now() - state.clockAt) * c.speed;
  const t = $("clock");
  const iso = new Date(ms).toISOString();
  t.dateTime = iso;
  t.textContent = iso.replace("T", " ").slice(0, 19) + " UTC";
}
setInterval(showClock, 1000);

$("advance-form").addEventListener("submit", async (ev) => {
  ev.preventDefault();
  const input = $("advance-by");
  const err = $("advance-err");
  const res = await fetch("/_local/advance?by=" + encodeURIComponent(input.value.trim()), { method: "POST" });
  if (res.ok) {
    err.textContent = "";
    input.removeAttribute("aria-invalid");
  } else {
    err.textContent = await errorText(res);
    input.setAttribute("aria-invalid", "true");
  }
});

async function errorText(res) {
  try {
    const body = await res.json();
    if (body && body.error) return body.error;
  } catch (_) { /* not JSON */ }
  return "HTTP " + res.status;
}

// ---- scenario --------------------------------------------------------------

function renderScenario(text) {
  state.scenarioText = text;
  if (!state.scenarioDirty) $("scenario-text").value = text;
}
$("scenario-text").addEventListener("input", () => {
  state.scenarioDirty = true;
  $("scenario-ok").textContent = "";
});
$("scenario-revert").addEventListener("click", () => {
  state.scenarioDirty = false;
  $("scenario-text").value = state.scenarioText;
  $("scenario-err").textContent = "";
  $("scenario-text").removeAttribute("aria-invalid");
});
$("scenario-form").addEventListener("submit", async (ev) => {
  ev.preventDefault();
  const ta = $("scenario-text");
  const res = await fetch("/_local/scenario", { method: "POST", headers: { "Content-Type": "application/yaml" }, body: ta.value });
  if (res.ok) {
    state.scenarioDirty = false;
    $("scenario-err").textContent = "";
    ta.removeAttribute("aria-invalid");
    $("scenario-ok").textContent = "Scenario applied.";
  } else {
    $("scenario-ok").textContent = "";
    $("scenario-err").textContent = "Not applied: " + (await errorText(res));
    ta.setAttribute("aria-invalid", "true");
  }
});

// ---- clusters --------------------------------------------------------------

function renderClusters(list) {
  const box = $("clusters");
  const frag = document.createDocumentFragment();
  for (const c of list) {
    const ul = el("ul");
    for (const s of c.services || []) {
      const label = s.name;
      const counts = s.running + "/" + s.desired;
      const a = el("a", { href: hashFor(c.region, c.name, s.name), "data-service": c.region + "/" + c.name + "/" + s.name,
        "aria-label": label + ", " + s.running + " of " + s.desired + " running" + (s.rolloutState ? ", " + s.rolloutState.toLowerCase().replace("_", " ") : "") },
        el("span", { text: label }), el("span", { class: "n state state-" + s.rolloutState, text: counts }));
      ul.append(el("li", null, a));
    }
    if (!c.services || !c.services.length) ul.append(el("li", { class: "muted small", text: "no services" }));
    const zones = (c.zones || []).map((z) => z + " " + c.instances[z] + ((c.draining || {})[z] ? " (" + c.draining[z] + " draining)" : "")).join(", ");
    frag.append(el("section", { class: "cluster", "aria-label": "cluster " + c.name },
      el("h3", { text: c.name + " · " + c.region }),
      zones ? el("p", { class: "muted small", text: "instances: " + zones }) : null,
      ul));
  }
  if (!list.length) frag.append(el("p", { class: "muted", text: "No clusters yet." }));
  box.replaceChildren(frag);
  markCurrent();
}

function markCurrent() {
  const f = state.focus;
  const key = f ? f.region + "/" + f.cluster + "/" + f.service : "";
  for (const a of document.querySelectorAll("#clusters a[data-service]")) {
    if (a.dataset.service === key) a.setAttribute("aria-current", "page");
    else a.removeAttribute("aria-current");
  }
}

// ---- a service -------------------------------------------------------------

function renderService(s) {
  if (s.missing) {
    $("service-h").textContent = "Service " + s.name + " not found in " + s.cluster + " (" + s.region + ")";
    for (const id of ["service-facts", "zones", "events", "band", "timeline"]) $(id).replaceChildren();
    for (const id of ["deployments", "stopped"]) $(id).tBodies[0].replaceChildren();
    return;
  }
  state.lastService = s;
  $("service-h").textContent = "Service " + s.name;
  renderFacts(s);
  renderDeployments(s);
  renderBand(s);
  renderBlueGreen(s);
  renderTasks(s);
  renderEvents(s);
  renderTimelines(s);
  const now = Date.now();
  for (const d of s.deployments) if (!(d.id in window.consoleSeen)) window.consoleSeen[d.id] = now;
}

function renderFacts(s) {
  const facts = [
    ["Cluster", s.cluster + " (" + s.region + ")"],
    ["Status", s.status + (s.steady ? ", steady" : "")],
    ["Task definition", shortTD(s.taskDefinition)],
    ["Desired", String(s.desired)],
    ["Minimum healthy", s.minimumHealthyPercent + " % → " + s.minHealthy + " tasks"],
    ["Maximum", s.maximumPercent + " % → " + s.maxTasks + " tasks"],
    ["Circuit breaker", s.circuitBreaker ? (s.rollback ? "on, with rollback" : "on") : "off"],
    ["Deployment controller", s.controller],
  ];
  if (s.launchType) facts.push(["Launch type", s.launchType]);
  if (s.targetGroups && s.targetGroups.length) facts.push(["Target groups", s.targetGroups.map(shortTG).join(", ")]);
  $("service-facts").replaceChildren(...facts.map(([k, v]) => el("div", null, el("dt", { text: k }), el("dd", { text: v }))));
}

function renderDeployments(s) {
  const rows = [];
  for (const d of s.deployments) {
    rows.push(el("tr", { "data-deployment": d.id, class: "dep" },
      el("td", null, el("code", { text: shortId(d.id), title: d.id })),
      el("td", { text: d.status }),
      el("td", { class: "state state-" + d.rolloutState, text: d.rolloutState }),
      el("td", { text: shortTD(d.taskDefinition) }),
      el("td", { class: "num", text: d.desired }),
      el("td", { class: "num", text: d.running }),
      el("td", { class: "num", text: d.pending }),
      el("td", { class: "num", text: d.failed })));
    rows.push(el("tr", { "data-reason-of": d.id, class: "why" },
      el("td", { colspan: 8, class: "reason", text: d.rolloutStateReason })));
  }
  $("deployments").tBodies[0].replaceChildren(...rows);
}

// The bounds as a band: the scheduler keeps at least minHealthy healthy
// tasks and at most maxTasks tasks; the bars are the tasks of each
// deployment now and, below, how many are healthy.
function renderBand(s) {
  const svg = $("band");
  const live = s.tasks.filter((t) => t.lastStatus !== "STOPPED");
  const healthy = live.filter((t) => t.healthy).length;
  const top = Math.max(s.maxTasks, s.desired, live.length, 1) + 1;
  const W = 600, X = (n) => 4 + (n / top) * (W - 8);
  const kids = [];
  kids.push(el("svg:rect", { x: X(s.minHealthy), y: 2, width: Math.max(0, X(s.maxTasks) - X(s.minHealthy)), height: 56, class: "g-band" }));
  let x = 0;
  s.deployments.forEach((d, i) => {
    const n = live.filter((t) => t.deploymentId === d.id).length;
    if (!n) return;
    kids.push(el("svg:rect", { x: X(x), y: 10, width: X(x + n) - X(x), height: 20, class: i === 0 ? "g-new" : "g-old" }));
    kids.push(el("svg:text", { x: X(x) + 3, y: 25, class: "g-label", text: shortId(d.id) + " · " + n }));
    x += n;
  });
  kids.push(el("svg:rect", { x: X(0), y: 34, width: X(healthy) - X(0), height: 10, class: "g-healthy" }));
  kids.push(el("svg:line", { x1: X(s.desired), x2: X(s.desired), y1: 0, y2: 60, class: "g-desired" }));
  kids.push(el("svg:text", { x: X(s.minHealthy) + 2, y: 68, text: "min " + s.minHealthy }));
  kids.push(el("svg:text", { x: X(s.maxTasks) - 34, y: 68, text: "max " + s.maxTasks }));
  kids.push(el("svg:text", { x: X(s.desired) + 3, y: 56, text: "desired " + s.desired }));
  svg.replaceChildren(...kids);
  $("band-cap").textContent = live.length + " tasks now (at most " + s.maxTasks + "), " + healthy +
    " healthy (at least " + s.minHealthy + " while deploying); desired " + s.desired + ". The shaded band is the range the scheduler stays within.";
}

// Blue/green: task sets, the traffic split between target groups and the
// lifecycle stage, when the emulator reports them.
function renderBlueGreen(s) {
  const sets = s.taskSets || [], traffic = s.traffic || [];
  const box = $("bg");
  box.hidden = !sets.length && !traffic.length && !s.stage;
  if (box.hidden) return;
  $("bg-stage").textContent = s.stage ? "Lifecycle stage: " + s.stage : "";
  $("tasksets").parentElement.hidden = !sets.length;
  $("tasksets").tBodies[0].replaceChildren(...sets.map((ts) => el("tr", { "data-taskset": ts.id },
    el("td", null, el("code", { text: shortId(ts.id), title: ts.id })),
    el("td", { text: ts.status }),
    el("td", { text: shortTD(ts.taskDefinition) }),
    el("td", { class: "num", text: ts.scale + " %" }),
    el("td", { class: "num", text: ts.computedDesiredCount }),
    el("td", { class: "num", text: ts.running }),
    el("td", { class: "num", text: ts.pending }),
    el("td", { text: ts.stability }),
    el("td", { text: (ts.targetGroups || []).map(shortTG).join(", ") }))));
  const kids = [];
  let x = 0;
  traffic.forEach((t, i) => {
    const w = (t.percent / 100) * 600;
    kids.push(el("svg:rect", { x: x, y: 2, width: w, height: 24, class: i === 0 ? "g-new" : "g-old" }));
    if (w > 60) kids.push(el("svg:text", { x: x + 4, y: 19, class: "g-label", text: shortTG(t.targetGroup) + " " + t.percent + " %" }));
    x += w;
  });
  $("traffic").replaceChildren(...kids);
  $("traffic").parentElement.hidden = !traffic.length;
  $("traffic-cap").textContent = traffic.length ? "Traffic: " + traffic.map((t) => shortTG(t.targetGroup) + " " + t.percent + " %").join(", ") : "";
}

function taskClass(t) {
  if (t.lastStatus === "STOPPED") return ["s-stopped", "×", "stopped"];
  if (t.desiredStatus === "STOPPED") return ["s-stopping", "↓", "stopping"];
  if (t.lastStatus === "RUNNING") {
    if (t.healthStatus === "UNHEALTHY") return ["s-unhealthy", "!", "unhealthy"];
    if (t.targetHealth === "unhealthy") return ["s-unhealthy", "!", "unhealthy target"];
    if (t.healthy) return ["s-healthy", "✓", "healthy"];
    return ["s-running", "R", "running, not yet healthy"];
  }
  return ["s-pending", "·", t.lastStatus.toLowerCase()];
}

function renderTasks(s) {
  const primary = s.deployments.length ? s.deployments[0].id : "";
  const recentStopped = s.tasks.filter((t) => t.lastStatus === "STOPPED").sort((a, b) => (b.stoppedAt || "").localeCompare(a.stoppedAt || ""));
  const shownStopped = new Set(recentStopped.slice(0, 24).map((t) => t.id));
  const zones = s.zones.length ? s.zones : [""];
  const boxes = zones.map((z) => {
    const tasks = s.tasks.filter((t) => t.az === z && (t.lastStatus !== "STOPPED" || shownStopped.has(t.id)));
    // Group by task set when the emulator reports one, else by deployment.
    const groups = new Map();
    for (const t of tasks) {
      const g = t.taskSet || t.deploymentId || "";
      if (!groups.has(g)) groups.set(g, []);
      groups.get(g).push(t);
    }
    const body = [];
    for (const [g, ts] of groups) {
      const dep = s.deployments.find((d) => d.id === g);
      const set = (s.taskSets || []).find((x) => x.id === g);
      const label = set ? "task set " + shortId(g) + " (" + set.status.toLowerCase() + ")" : g ? (dep ? "deployment " + shortId(g) + " (" + (g === primary ? "primary" : dep.rolloutState.toLowerCase()) + ")" : "earlier deployment " + shortId(g)) : "no deployment";
      const tg = ts.find((t) => t.targetGroup && t.lastStatus !== "STOPPED");
      body.push(el("p", { class: "group-label", text: label + (tg ? " → " + shortTG(tg.targetGroup) : "") }));
      body.push(el("ul", { class: "cells", "aria-label": label + " in " + (z || "no zone") },
        ...ts.map((t) => {
          const [cls, glyph, words] = taskClass(t);
          const desc = "task " + t.id.slice(0, 8) + ": " + words + (t.targetHealth ? ", target " + t.targetHealth.toLowerCase() : "") + (t.stoppedReason ? " — " + t.stoppedReason : "");
          return el("li", { class: "cell " + cls + (t.deploymentId === primary ? " new-dep" : ""), title: desc, "aria-label": desc, "data-task": t.id, "data-state": words, text: glyph });
        })));
    }
    if (!body.length) body.push(el("p", { class: "muted small", text: "no tasks" }));
    const live = tasks.filter((t) => t.lastStatus !== "STOPPED").length;
    return el("section", { class: "zone", "aria-label": "zone " + (z || "unknown") },
      el("h4", { text: (z || "no zone") + " · " + live + " live" }), ...body);
  });
  $("zones").replaceChildren(...boxes);
  const rows = recentStopped.slice(0, 50).map((t) => el("tr", { "data-task": t.id },
    el("td", null, el("code", { text: t.id.slice(0, 8), title: t.id })),
    el("td", null, el("code", { text: shortId(t.deploymentId) })),
    el("td", { text: t.az }),
    el("td", null, el("time", { datetime: t.stoppedAt, text: hhmmss(t.stoppedAt) })),
    el("td", { class: "code", text: t.stopCode || "" }),
    el("td", { class: "reason", text: (t.stoppedReason || "") + (t.exitCode !== undefined && t.exitCode !== null ? " (exit code " + t.exitCode + ")" : "") })));
  if (!rows.length) rows.push(el("tr", null, el("td", { colspan: 6, class: "muted", text: "none" })));
  $("stopped").tBodies[0].replaceChildren(...rows);
}

// New events are added at the top without redrawing the others, so that a
// screen reader announces only what is new.
function renderEvents(s) {
  const ol = $("events");
  const key = (ev) => ev.at + " " + ev.message;
  const item = (ev) => el("li", { "data-key": key(ev) }, el("time", { datetime: ev.at, text: hhmmss(ev.at) }), ev.message);
  const first = ol.firstElementChild;
  const k = first ? s.events.findIndex((ev) => key(ev) === first.dataset.key) : -1;
  if (k < 0) {
    ol.replaceChildren(...s.events.map(item));
    return;
  }
  ol.prepend(...s.events.slice(0, k).map(item));
  while (ol.childElementCount > s.events.length) ol.lastElementChild.remove();
}

// ---- timelines -------------------------------------------------------------

function renderTimelines(s) {
  const pick = $("timeline-pick");
  const tls = s.timelines || [];
  const options = tls.map((tl, i) => el("option", { value: tl.deployment, text:
    shortId(tl.deployment) + " · " + tl.status.toLowerCase().replace(/_/g, " ") + " · " + hhmmss(tl.startedAt) }));
  const keep = state.timelinePick;
  pick.replaceChildren(...options);
  if (!tls.length) {
    $("timeline").replaceChildren();
    $("timeline-cap").textContent = "No deployment recorded yet (deployments are recorded while the console's server runs).";
    return;
  }
  const chosen = tls.find((t) => t.deployment === keep) || tls[tls.length - 1];
  pick.value = chosen.deployment;
  drawTimeline(chosen);
}
$("timeline-pick").addEventListener("change", () => {
  state.timelinePick = $("timeline-pick").value;
  if (state.lastService) renderTimelines(state.lastService);
});

function drawTimeline(tl) {
  const svg = $("timeline");
  const pts = tl.points || [];
  if (!pts.length) { svg.replaceChildren(); return; }
  const t0 = Date.parse(tl.startedAt);
  const end = tl.endedAt ? Date.parse(tl.endedAt) : Math.max(Date.parse(state.clock ? state.clock.now : pts[pts.length - 1].at), Date.parse(pts[pts.length - 1].at));
  const t1 = Math.max(end, t0 + 1000);
  let top = 1;
  for (const p of pts) top = Math.max(top, p.max, p.running + p.pending, p.desired);
  top += 1;
  const L = 34, R = 630, T = 10, B = 190;
  const X = (t) => L + ((t - t0) / (t1 - t0)) * (R - L);
  const Y = (n) => B - (n / top) * (B - T);
  const step = (key) => {
    let d = "";
    pts.forEach((p, i) => {
      const x = X(Date.parse(p.at)), y = Y(typeof key === "function" ? key(p) : p[key]);
      d += i === 0 ? "M" + x + "," + y : "H" + x + "V" + y;
    });
    return d + "H" + X(t1);
  };
  // The band between the bounds, as a stepped area.
  let band = "";
  pts.forEach((p, i) => {
    const x = X(Date.parse(p.at));
    band += i === 0 ? "M" + x + "," + Y(p.max) : "H" + x + "V" + Y(p.max);
  });
  band += "H" + X(t1);
  const n = pts.length;
  band += "V" + Y(pts[n - 1].min) + "H" + X(Date.parse(pts[n - 1].at));
  for (let i = n - 2; i >= 0; i--) band += "V" + Y(pts[i].min) + "H" + X(Date.parse(pts[i].at));
  band += "Z";
  const kids = [
    el("svg:path", { d: band, class: "g-area" }),
    el("svg:path", { d: step("min"), class: "l-bound" }),
    el("svg:path", { d: step("max"), class: "l-bound" }),
    el("svg:path", { d: step("desired"), class: "l-desired" }),
    el("svg:path", { d: step((p) => p.running + p.pending), class: "l-total" }),
    el("svg:path", { d: step("running"), class: "l-running" }),
    el("svg:path", { d: step("healthy"), class: "l-healthy" }),
    el("svg:line", { x1: L, x2: R, y1: B, y2: B, class: "l-axis" }),
  ];
  for (let n = 0; n <= top; n += Math.max(1, Math.ceil(top / 5))) {
    kids.push(el("svg:text", { x: L - 6, y: Y(n) + 4, "text-anchor": "end", text: n }));
  }
  const secs = Math.round((t1 - t0) / 1000);
  kids.push(el("svg:text", { x: L, y: B + 16, text: hhmmss(tl.startedAt) }));
  kids.push(el("svg:text", { x: R, y: B + 16, "text-anchor": "end", text: "+" + fmtDur(secs) }));
  (tl.marks || []).forEach((m, i) => {
    const x = X(Date.parse(m.at));
    kids.push(el("svg:line", { x1: x, x2: x, y1: T, y2: B, class: "l-mark" }));
    kids.push(el("svg:text", { x: Math.min(x + 3, R - 90), y: T + 10 + 12 * i, text: m.label }));
  });
  kids.push(el("svg:text", { x: L + 4, y: B + 28, text: "— healthy   — running   — running + pending   ⋯ desired   ▒ min…max" }));
  svg.setAttribute("viewBox", "0 0 640 225");
  svg.replaceChildren(...kids);
  // Answer "did it ever go below the minimum?" in words too. A service's
  // first deployment starts from no tasks at all: it is judged from the
  // moment it first reached the minimum.
  let from = 0, ramp = "";
  if (pts[0].healthy < pts[0].min && pts[0].running === 0) {
    from = pts.findIndex((p) => p.healthy >= p.min);
    ramp = from < 0 ? "It never reached the minimum healthy count (" + pts[pts.length - 1].min + "). " :
      "It reached the minimum healthy count (" + pts[from].min + ") at " + hhmmss(pts[from].at) + "; after that, ";
  }
  const judged = from < 0 ? [] : pts.slice(from);
  let low = judged[0], over = pts[0];
  for (const p of judged) if (p.healthy - p.min < low.healthy - low.min) low = p;
  for (const p of pts) if (p.running + p.pending - p.max > over.running + over.pending - over.max) over = p;
  const last = pts[pts.length - 1];
  const below = judged.filter((p) => p.healthy < p.min);
  let verdict = "";
  if (judged.length) {
    verdict = below.length ? "healthy tasks went below the minimum (" + low.min + "), lowest " + low.healthy + " at " + hhmmss(low.at) + "." :
      "healthy tasks never went below the minimum healthy count.";
    if (!ramp) verdict = verdict[0].toUpperCase() + verdict.slice(1);
  }
  $("timeline-cap").textContent = "Deployment " + shortId(tl.deployment) + ", " + tl.status.toLowerCase().replace(/_/g, " ") +
    ", over " + fmtDur(secs) + ": " + last.started + " tasks started, " + last.stopped + " stopped. " + ramp + verdict +
    " At most " + (over.running + over.pending) + " tasks at once (maximum " + over.max + ").";
}

function fmtDur(s) {
  const m = Math.floor(s / 60), r = s % 60;
  return m ? m + "m" + (r ? r + "s" : "") : r + "s";
}

window.addEventListener("hashchange", route);
route();
