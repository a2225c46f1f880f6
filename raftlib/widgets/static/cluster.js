// The cluster picture (raftlib.widgets.ClusterView): draws the state the kernel sends
// (model "state") in SVG, animates messages by virtual time at the display's frame rate,
// and sends clicks back to the kernel as custom messages ({action, server|message|link}).
// Plain ES module, no dependencies: works offline and in JupyterLite.

const NS = "http://www.w3.org/2000/svg";
const W = 620, H = 400;                 // the SVG's viewBox
const CX = 190, CY = 196, RING = 132, NODE_R = 28;
const LABEL_TOP = NODE_R + 5, LABEL_BOTTOM = NODE_R + 34, LABEL_HALF_W = 42;  // under a server
const LOG_X = 372, CELL_W = 15, LOG_TOP = 58;
const TICK_MS = 50;                     // at most 20 kernel updates per second while playing
const KIND_KEY = {RequestVote: "request_vote", RequestVoteReply: "vote_reply",
  AppendEntries: "append_entries", Heartbeat: "heartbeat", AppendEntriesReply: "append_reply",
  Client: "client_msg"};

const ICONS = {  // 16x16 paths: no icon font needed
  play: "M4 2 L14 8 L4 14 Z", pause: "M3 2 H7 V14 H3 Z M9 2 H13 V14 H9 Z",
  step: "M2 2 L10 8 L2 14 Z M11 2 H14 V14 H11 Z", back: "M14 2 L6 8 L14 14 Z M2 2 H5 V14 H2 Z",
  next: "M1 2 L8 8 L1 14 Z M8 2 L15 8 L8 14 Z",
};

function patch(el, html) {  // replace el's content only when its markup changed; true if replaced
  if (el.raftHtml === html) return false;
  el.innerHTML = html;
  el.raftHtml = html;
  return true;
}
function esc(s) {
  return String(s).replace(/[&<>"']/g, (c) => ({"&": "&amp;", "<": "&lt;", ">": "&gt;",
    '"': "&quot;", "'": "&#39;"}[c]));
}
function fmt(template, fields) {
  return String(template || "").replace(/\{(\w+)\}/g, (m, k) => (k in fields ? fields[k] : m));
}
function icon(name) {
  return `<svg viewBox="0 0 16 16" width="13" height="13" aria-hidden="true"><path d="${ICONS[name]}" fill="currentColor"/></svg>`;
}
function termColor(cfg, term) {
  if (!term || term < 1) return cfg.no_term;
  return cfg.term_colors[(term - 1) % cfg.term_colors.length];
}
function positions(nodes) {
  const n = nodes.length, pos = {};
  nodes.forEach((s, i) => {
    const a = (2 * Math.PI * i) / n, r = n > 1 ? RING : 0;
    pos[s] = [CX + r * Math.sin(a), CY - r * Math.cos(a)];
  });
  return pos;
}
function clearOfLabel(ux, uy) {
  // How far from a server's centre a ray in direction (ux, uy) leaves the box of the labels
  // under it (role, vote), plus half an arrow; 0 if the ray misses the box.
  if (uy <= 0) return 0;
  const side = Math.abs(ux) > 1e-9 ? LABEL_HALF_W / Math.abs(ux) : Infinity;
  const exit = Math.min(side, LABEL_BOTTOM / uy);
  return uy * exit >= LABEL_TOP ? exit + 12 : 0;
}
function arcPath(x, y, r, frac) {
  frac = Math.max(0, Math.min(frac, 0.9999));
  const a = 2 * Math.PI * frac, ex = x + r * Math.sin(a), ey = y - r * Math.cos(a);
  return `M ${x} ${y - r} A ${r} ${r} 0 ${frac > 0.5 ? 1 : 0} 1 ${ex.toFixed(2)} ${ey.toFixed(2)}`;
}

let instances = 0;
const encoder = new TextEncoder();

function render({model, el}) {
  const hatch = `raft-hatch-${++instances}`;   // one pattern id per widget in the page
  const root = document.createElement("div");
  root.className = "raft-view";
  root.tabIndex = 0;
  root.innerHTML = `
    <div class="raft-toolbar">
      <button class="raft-play" data-control="play"></button>
      <button class="raft-back" data-control="back"></button>
      <button class="raft-step" data-control="step"></button>
      <button class="raft-next" data-control="next_event"></button>
      <label class="raft-speed-label"><span></span><input class="raft-speed" type="range" min="-3" max="0" step="0.25"></label>
      <input class="raft-time" type="range" min="0" max="1" step="0.001">
      <span class="raft-clock"></span>
      <span class="raft-lang"><button data-lang="en">EN</button><button data-lang="zh">中文</button></span>
      <button class="raft-help-button" data-control="help">?</button>
    </div>
    <div class="raft-main">
      <div class="raft-picture-box">
        <svg class="raft-picture" viewBox="0 0 ${W} ${H}" preserveAspectRatio="xMidYMin meet"></svg>
        <div class="raft-menu" hidden></div>
        <div class="raft-help" hidden></div>
      </div>
      <div class="raft-side"><div class="raft-details"></div><div class="raft-recent"></div></div>
    </div>
    <div class="raft-bottom">
      <div class="raft-status"></div>
      <span class="raft-tools">
        <select class="raft-preset"></select><button class="raft-preset-button"></button>
        <button class="raft-reset"></button><button class="raft-heal-all"></button>
      </span>
    </div>
    <div class="raft-note"></div>`;
  el.appendChild(root);
  const $ = (sel) => root.querySelector(sel);
  const svg = $(".raft-picture"), menu = $(".raft-menu"), help = $(".raft-help");
  const timeSlider = $(".raft-time"), speedSlider = $(".raft-speed");

  let st = model.get("state"), cfg = model.get("config"), L = model.get("labels");
  let arrived = performance.now(), playing = false, pending = false, lastTick = 0;
  let seekWanted = null, dragging = false, hover = null, menuFor = null, frames = 0;
  let animated = [];   // per frame: [{g, sx, sy, dx, dy, sent, arrives, lo, hi}] and timer arcs
  let arcs = [], frameMs = 0, redrawMs = 0, layers = null, placedAt = null;
  const clock = $(".raft-clock");

  const lab = (k, fields) => fmt(L[k] !== undefined ? L[k] : k, fields || {});
  const send = (msg) => { pending = true; model.send(msg); };
  const vt = () => {   // the virtual time shown now: extrapolated while playing
    if (!playing) return st.t;
    const ahead = Math.min(performance.now() - arrived, 2 * TICK_MS) / 1000;
    return st.t + ahead * model.get("speed");
  };
  const server = (sid) => st.servers.find((s) => s.id === sid);

  // ------------------------------------------------------------------ picture
  function roleLabel(s) {
    if (!s.up) return lab("crashed");
    if (s.role === "leader") return s.stale ? `★ ${lab("stale_leader")}` : `★ ${lab("leader")}`;
    if (s.role === "candidate") {
      const need = Math.floor(cfg.nodes.length / 2) + 1;
      return `${lab("candidate")} ${lab("votes", {n: (s.votes || []).length, need})}`;
    }
    return lab("follower");
  }
  function buildLayers() {  // once per server set: the SVG's fixed layers and one slot per server
    svg.innerHTML = `<defs><pattern id="${hatch}" width="6" height="6" patternUnits="userSpaceOnUse" patternTransform="rotate(45)"><rect width="6" height="6" class="raft-hatch-bg"/><line x1="0" y1="0" x2="0" y2="6" class="raft-hatch-line"/></pattern></defs>` +
      '<g class="raft-links"></g><g class="raft-msgs"></g><g class="raft-servers">' +
      cfg.nodes.map(() => "<g></g>").join("") + '</g><g class="raft-logs"><g></g>' +
      cfg.nodes.map(() => "<g></g>").join("") + "</g>";
    layers = {nodes: cfg.nodes.join(" "), links: $(".raft-links"), msgs: $(".raft-msgs"),
      servers: [...$(".raft-servers").children], logs: [...$(".raft-logs").children]};
  }
  function drawPicture() {  // only the parts whose markup changed are replaced
    const pos = positions(cfg.nodes), parts = [], sel = model.get("selected");
    if (!layers || layers.nodes !== cfg.nodes.join(" ")) buildLayers();
    const blocked = new Set(st.blocked.map(([a, b]) => `${a}>${b}`));
    // links: one per pair; red dashed when blocked in either direction
    cfg.nodes.forEach((a, i) => cfg.nodes.slice(i + 1).forEach((b) => {
      const [x1, y1] = pos[a], [x2, y2] = pos[b];
      const cut = blocked.has(`${a}>${b}`) || blocked.has(`${b}>${a}`);
      parts.push(`<g class="raft-link${cut ? " raft-cut" : ""}" data-link="${a}-${b}">` +
        `<line class="raft-link-hit" x1="${x1}" y1="${y1}" x2="${x2}" y2="${y2}"/>` +
        `<line class="raft-link-line" x1="${x1}" y1="${y1}" x2="${x2}" y2="${y2}"/></g>`);
    }));
    patch(layers.links, parts.join(""));
    st.servers.forEach((s, k) => {
      const [x, y] = pos[s.id];
      const cls = ["raft-server", `raft-${s.role}`, s.stale ? "raft-stale" : "",
        sel === s.id ? "raft-selected" : ""].join(" ");
      const fill = s.up ? termColor(cfg, s.term) : `url(#${hatch})`;
      patch(layers.servers[k], `<g class="${cls}" data-server="${s.id}">` +
        `<circle class="raft-timer-track" cx="${x}" cy="${y}" r="${NODE_R + 5}"/>` +
        `<path class="raft-timer" data-timer="${s.id}" d=""/>` +
        `<circle class="raft-node" cx="${x}" cy="${y}" r="${NODE_R}" fill="${fill}"/>` +
        `<text class="raft-node-id" x="${x}" y="${y - 3}">${s.id}</text>` +
        `<text class="raft-node-term" x="${x}" y="${y + 13}">${esc(lab("term_short", {t: s.term}))}</text>` +
        `<text class="raft-label" x="${x}" y="${y + NODE_R + 17}">${esc(roleLabel(s))}</text>` +
        (s.up && s.vote ? `<text class="raft-label raft-vote" x="${x}" y="${y + NODE_R + 30}">${esc(lab("voted", {s: s.vote}))}</text>` : "") +
        "</g>");
    });
    drawLogs();
    drawMessages(pos);
    arcs = st.servers.filter((s) => s.up && s.due != null).map((s) => ({
      path: svg.querySelector(`[data-timer="${s.id}"]`), x: pos[s.id][0], y: pos[s.id][1],
      due: s.due}));
    place(vt());
  }
  function drawLogs() {  // layer 0: title and indexes; layer r + 1: server r's row
    const n = cfg.nodes.length, rowH = Math.min(34, (H - LOG_TOP - 24) / n);
    const last = Math.max(0, ...st.servers.map((s) => s.last));
    const cols = Math.floor((W - LOG_X - 30) / CELL_W), first = Math.max(1, last - cols + 1);
    const leader = st.servers.find((s) => s.role === "leader" && !s.stale);
    const head = [`<text class="raft-log-title" x="${LOG_X}" y="${LOG_TOP - 24}">${esc(lab("log"))}</text>`];
    for (let i = first; i <= Math.max(last, first); i++) {
      if (last && ((i - first) % 5 === 0 || (i === last && (i - first) % 5 > 1)))  // no overlap
        head.push(`<text class="raft-log-index" x="${LOG_X + 26 + (i - first) * CELL_W + CELL_W / 2}" y="${LOG_TOP - 6}">${i}</text>`);
    }
    if (first > 1) head.push(`<text class="raft-log-index" x="${LOG_X}" y="${LOG_TOP + n * rowH + 12}" text-anchor="start">${esc(lab("earlier", {n: first - 1}))}</text>`);
    patch(layers.logs[0], head.join(""));
    st.servers.forEach((s, r) => {
      const y = LOG_TOP + r * rowH, parts = [];
      // a row: the next_index marker on top (y+1..y+7), cells (y+8..), the match_index bar under
      const top = y + 8, cellH = rowH - 14, mid = top + cellH / 2 + 3.5;
      parts.push(`<text class="raft-log-server" x="${LOG_X}" y="${mid}">${s.id}</text>`);
      for (let i = Math.max(first, s.log0); i <= s.last; i++) {
        const term = s.log[i - s.log0], x = LOG_X + 26 + (i - first) * CELL_W;
        const done = s.up && i <= s.commit;
        parts.push(`<g class="raft-entry${done ? " raft-committed" : ""}"><rect x="${x}" y="${top}" width="${CELL_W - 2}" height="${cellH}" fill="${termColor(cfg, term)}"/><text x="${x + (CELL_W - 2) / 2}" y="${mid - 0.5}">${term}</text><title>${i}: ${esc(s.cmds[i - s.log0])}</title></g>`);
      }
      if (leader && leader.next && s.id in leader.next) {   // markers on the follower's own row
        const nx = LOG_X + 26 + (leader.next[s.id] - first) * CELL_W + (CELL_W - 2) / 2;
        const mx = LOG_X + 26 + (leader.match[s.id] - first + 1) * CELL_W - 2;
        if (leader.next[s.id] >= first) parts.push(`<path class="raft-next-marker" d="M ${nx - 4} ${y + 1} L ${nx + 4} ${y + 1} L ${nx} ${y + 7} Z"><title>${esc(lab("next_marker"))} = ${leader.next[s.id]}</title></path>`);
        if (leader.match[s.id] >= first) parts.push(`<rect class="raft-match-marker" x="${LOG_X + 26}" y="${top + cellH + 1.5}" width="${Math.max(0, mx - LOG_X - 26)}" height="2.5"><title>${esc(lab("match_marker"))} = ${leader.match[s.id]}</title></rect>`);
      }
      patch(layers.logs[r + 1], parts.join(""));
    });
  }
  function drawMessages(pos) {
    const layer = layers.msgs, t = st.t;
    // group bursts: messages of one kind on the same directed link that sit close together
    // now (sorted by link, kind and position, so another kind in between does not split them)
    const groups = [], frac = (m) => (t - m[4]) / Math.max(1e-9, m[5] - m[4]);
    const sorted = st.msgs.map((m) => [m, frac(m)]).sort(([a, fa], [b, fb]) =>
      (a[1] + a[2] + a[3]).localeCompare(b[1] + b[2] + b[3]) || fa - fb);
    for (const [m, f] of sorted) {
      const g = groups[groups.length - 1];
      if (g && g.src === m[1] && g.dst === m[2] && g.kind === m[3] && Math.abs(f - g.frac) < 0.12) g.msgs.push(m);
      else groups.push({src: m[1], dst: m[2], kind: m[3], frac: f, msgs: [m]});
    }
    let html = "";
    groups.forEach((g) => {
      const m = g.msgs[0], ok = m[6], color = cfg.message_colors[m[3]] || "#888";
      const sel = menuFor && menuFor.message == m[0] ? " raft-selected" : "";
      html += `<g class="raft-message${sel}" data-message="${m[0]}" data-messages="${g.msgs.map((x) => x[0]).join(" ")}" data-kind="${m[3]}">` +
        `<circle class="raft-msg-hit" r="11"/><path class="raft-arrow" d="M -11 -7 L 11 0 L -11 7 Z" fill="${color}"/>` +
        (ok === null && g.msgs.length === 1 ? "" : '<text class="raft-msg-mark">' +   // ahead of the arrow
          (ok === true ? '<tspan class="raft-ok">✓</tspan>' : ok === false ? '<tspan class="raft-fail">✗</tspan>' : "") +
          (g.msgs.length > 1 ? `<tspan class="raft-count">×${g.msgs.length}</tspan>` : "") + "</text>") + "</g>";
    });
    const fresh = patch(layer, html);
    animated = [];
    [...layer.children].forEach((el, k) => {
      const m = groups[k].msgs[0], [sx, sy] = pos[m[1]], [dx, dy] = pos[m[2]];
      const d = Math.hypot(dx - sx, dy - sy) || 1, ux = (dx - sx) / d, uy = (dy - sy) / d;
      // start and end clear of the timer rings and of the labels under both servers
      let lo = Math.max(NODE_R + 20, clearOfLabel(ux, uy)) / d;
      let hi = 1 - Math.max(NODE_R + 20, clearOfLabel(-ux, -uy)) / d;
      if (hi - lo < 0.2) { lo = (NODE_R + 20) / d; hi = 1 - lo; }
      if (fresh) {
        el.querySelector(".raft-arrow").setAttribute("transform", `rotate(${((Math.atan2(dy - sy, dx - sx) * 180) / Math.PI).toFixed(1)})`);
        const mark = el.querySelector(".raft-msg-mark");   // on the link just ahead of the tip
        if (mark) { mark.setAttribute("x", ((dx - sx) / d * 24).toFixed(1)); mark.setAttribute("y", ((dy - sy) / d * 24 + 4).toFixed(1)); }
      }
      animated.push({el, sx, sy, dx, dy, sent: m[4], arrives: m[5], lo, hi,
        ox: (-(dy - sy) / d) * 7, oy: ((dx - sx) / d) * 7});  // right of travel: two ways apart
    });
  }
  function place(t) {  // messages along their links and timer arcs at virtual time t
    const span = cfg.eto[1];
    placedAt = t;
    for (const a of animated) {
      let f = (t - a.sent) / Math.max(1e-9, a.arrives - a.sent);
      f = a.lo + Math.max(0, Math.min(1, f)) * (a.hi - a.lo);
      const x = a.sx + (a.dx - a.sx) * f + a.ox, y = a.sy + (a.dy - a.sy) * f + a.oy;
      a.el.setAttribute("transform", `translate(${x.toFixed(1)} ${y.toFixed(1)})`);
    }
    for (const a of arcs) a.path.setAttribute("d", arcPath(a.x, a.y, NODE_R + 5, (a.due - t) / span));
    clock.textContent = lab("now", {t: t.toFixed(3)});
  }
  function frame() {  // every display frame: while time moves, move messages and arcs
    const t0 = performance.now(), t = vt();
    if (t !== placedAt) place(t);   // paused: nothing moves, the frame costs nothing
    frames += 1;
    root.dataset.frames = frames;
    frameMs += performance.now() - t0;   // the benchmark reads both
    root.dataset.frameMs = frameMs.toFixed(2);
    if (playing && !pending && !dragging && performance.now() - lastTick >= TICK_MS) {
      const now = performance.now(), seconds = lastTick ? (now - lastTick) / 1000 : TICK_MS / 1000;
      lastTick = now;
      send({action: "tick", seconds: Math.min(seconds, 0.2)});
    }
    raf = requestAnimationFrame(frame);
  }
  let raf = requestAnimationFrame(frame);

  // ------------------------------------------------------------------ side panel
  function row(k, v) { return `<tr><th>${k}</th><td>${v}</td></tr>`; }
  function field(name) {  // Figure 2 name, with its glossary term in Chinese unless that is the code itself
    const zh = model.get("lang") === "zh" && lab(name) !== name;
    return zh ? `${esc(lab(name))} <code>${name}</code>` : `<code>${name}</code>`;
  }
  function serverDetails(s) {
    let h = `<h4>${esc(lab("server"))} ${s.id}</h4><table>`;
    h += row(esc(lab("role")), `<b>${esc(roleLabel(s))}</b>`);
    h += row(field("current_term"), s.term);
    h += row(field("voted_for"), s.vote ? esc(s.vote) : "—");
    h += row(esc(lab("last_log")), `${s.last} / ${s.last ? s.log[s.log.length - 1] : 0}`);
    if (s.up) {
      h += row(field("commit_index"), s.commit) + row(field("last_applied"), s.applied);
      if (s.due != null) h += row(esc(lab("timer_due")), `${Math.max(0, (s.due - st.t) * 1000).toFixed(0)} ms`);
      if (s.votes) h += row(esc(lab("votes_received")), esc(s.votes.join(", ")));
    } else {
      h += `<tr><td colspan="2" class="raft-muted">${esc(lab("crashed_keeps"))}</td></tr>`;
    }
    h += "</table>";
    if (s.next) {
      h += `<table><tr><th>${esc(lab("peer"))}</th><th>${field("next_index")}</th><th>${field("match_index")}</th></tr>`;
      for (const p of Object.keys(s.next)) h += `<tr><td>${p}</td><td>${s.next[p]}</td><td>${s.match[p]}</td></tr>`;
      h += "</table>";
    }
    return h;
  }
  function messageDetails(id) {
    const m = st.msgs.find((x) => String(x[0]) === String(id));
    if (!m) return "";
    const ok = m[6] === true ? " ✓" : m[6] === false ? " ✗" : "";
    return `<h4>${esc(lab("message"))} #${m[0]}</h4><table>` +
      row(esc(lab("type")), esc(lab(KIND_KEY[m[3]] || m[3])) + ok) +
      row(esc(lab("from_to")), `${m[1]} → ${m[2]}`) + row(esc(lab("term")), m[7] ?? "—") +
      row(esc(lab("sent_at")), m[4].toFixed(4)) + row(esc(lab("arrives_at")), m[5].toFixed(4)) +
      `</table><div class="raft-detail-line">${esc(m[3] === "Heartbeat" ? "AppendEntries" : m[3])} ${esc(m[8])}</div>`;
  }
  function drawSide() {
    const sel = model.get("selected");
    let h = "";
    if (hover && hover.message) h = messageDetails(hover.message);
    else if (hover && hover.server && server(hover.server)) h = serverDetails(server(hover.server));
    else if (sel && server(sel)) h = serverDetails(server(sel));
    else h = `<div class="raft-muted">${esc(lab("click_hint"))}</div>`;
    patch($(".raft-details"), h);
    patch($(".raft-recent"), `<h4>${esc(lab("recent"))}</h4>` +
      st.recent.map((line) => `<div>${line.split(" ").map((w) => `<span>${esc(w)}</span>`).join(" ")}</div>`).join(""));
  }

  // ------------------------------------------------------------------ text, status, time
  function drawText() {
    const buttons = {play: playing ? "pause" : "play", back: "back", step: "step", next_event: "next"};
    for (const [control, ic] of Object.entries(buttons)) {
      const b = $(`[data-control="${control}"]`);
      const key = control === "play" ? (playing ? "pause" : "play") : control;
      patch(b, icon(ic) + `<span>${esc(lab(key))}</span>`);
      b.title = lab(`${key}_tip`) === `${key}_tip` ? lab(key) : lab(`${key}_tip`);
    }
    $(".raft-speed-label span").textContent = lab("speed");
    speedSlider.title = lab("speed_tip");
    timeSlider.title = lab("time_tip");
    $(".raft-help-button").title = lab("help");
    root.querySelectorAll(".raft-lang button").forEach((b) =>
      b.classList.toggle("raft-on", b.dataset.lang === model.get("lang")));
    const preset = $(".raft-preset"), keep = preset.value;
    patch(preset, (L.presets || []).map(([k, v]) => `<option value="${k}">${esc(v)}</option>`).join(""));
    if (keep) preset.value = keep;
    $(".raft-preset-button").textContent = lab("apply");
    $(".raft-reset").textContent = lab("reset");
    $(".raft-reset").title = lab("reset_tip");
    $(".raft-heal-all").textContent = lab("heal");
    $(".raft-heal-all").title = lab("heal_tip");
    patch(help, `<h4>${esc(lab("help"))}</h4><p>${esc(lab("help_click"))}</p><table>` +
      Object.values(KEYS).filter(([k]) => k)
        .map(([k, d]) => `<tr><th><kbd>${k}</kbd></th><td>${esc(lab(d))}</td></tr>`).join("") +
      `</table><p>${esc(lab("help_legend"))}</p>`);
  }
  function drawStatus() {
    const leader = st.leader, s = leader ? server(leader) : null, tl = st.timeline;
    const status = $(".raft-status");
    status.dataset.leader = leader || "";
    status.dataset.term = s ? s.term : "";
    status.dataset.time = st.t.toFixed(6);
    status.dataset.seq = st.seq;
    const parts = [lab("now", {t: st.t.toFixed(3)}),
      leader ? lab("leader_is", {s: leader, term: s.term}) : lab("no_leader"), `${lab("seed")} ${st.seed}`];
    if (tl.replaying) parts.push(lab("history"));
    status.textContent = parts.join(" · ");
    const note = st.note || {};
    const noteEl = $(".raft-note");
    noteEl.textContent = note.text || "";
    noteEl.classList.toggle("raft-error", !!note.error);
    noteEl.title = note.text || "";
    if (!dragging) {
      timeSlider.min = tl.origin; timeSlider.max = Math.max(tl.end, tl.origin + 0.001);
      timeSlider.value = st.t;
    }
    timeSlider.disabled = !tl.rewindable;
    speedSlider.value = Math.log10(model.get("speed"));
  }
  function drawAll() { drawText(); drawPicture(); drawSide(); drawStatus(); placeMenu(); }

  // ------------------------------------------------------------------ menu
  const ACTIONS = {server: (s) => (s.up ? ["crash", "timeout", "request", "isolate", "reboot"] : ["restart"]),
    message: () => ["drop", "duplicate", "deliver"], link: (cut) => (cut ? ["heal", "cut"] : ["cut", "heal"])};
  const ACTION_LABEL = {deliver: "deliver_now", cut: "cut_link", heal: "heal_link"};
  function openMenu(target, x, y) {
    menuFor = target;
    menuFor.x = x; menuFor.y = y;
    placeMenu();
  }
  function placeMenu() {
    if (!menuFor) { menu.hidden = true; return; }
    let title = "", actions = [];
    if (menuFor.server) {
      const s = server(menuFor.server);
      if (!s) { closeMenu(); return; }
      title = `${s.id} · ${roleLabel(s)} · ${lab("term_short", {t: s.term})}`;
      actions = ACTIONS.server(s);
    } else if (menuFor.message) {
      const m = st.msgs.find((x) => String(x[0]) === String(menuFor.message));
      if (!m) { closeMenu(); return; }
      title = `#${m[0]} ${m[1]} → ${m[2]} · ${lab(KIND_KEY[m[3]] || m[3])}`;
      actions = ACTIONS.message();
    } else {
      const [a, b] = menuFor.link.split("-");
      const cut = st.blocked.some(([x, y]) => (x === a && y === b) || (x === b && y === a));
      title = `${a} — ${b} · ${cut ? lab("blocked") : lab("link_ok")}`;
      actions = ACTIONS.link(cut);
    }
    patch(menu, `<div class="raft-menu-title">${esc(title)}</div>` + actions.map((a) =>
      `<button data-action="${a}">${esc(lab(ACTION_LABEL[a] || a))}</button>`).join(""));
    menu.hidden = false;
    if (!menuFor.placed) {  // where it was opened (read the layout once, not at every update)
      const box = root.querySelector(".raft-picture-box").getBoundingClientRect();
      menu.style.left = `${Math.min(menuFor.x, box.width - 170)}px`;
      menu.style.top = `${Math.min(menuFor.y, box.height - 40 * actions.length - 30)}px`;
      menuFor.placed = true;
    }
  }
  function closeMenu() { menuFor = null; menu.hidden = true; }

  // ------------------------------------------------------------------ events
  function act(action, extra) { send(Object.assign({action}, extra)); }
  svg.addEventListener("click", (e) => {
    const box = root.querySelector(".raft-picture-box").getBoundingClientRect();
    const x = e.clientX - box.left + 6, y = e.clientY - box.top + 6;
    const s = e.target.closest("[data-server]"), m = e.target.closest("[data-message]");
    const l = e.target.closest("[data-link]");
    if (s) { openMenu({server: s.dataset.server}, x, y); model.set("selected", s.dataset.server); model.save_changes(); }
    else if (m) { openMenu({message: m.dataset.message}, x, y); drawSide(); }
    else if (l) openMenu({link: l.dataset.link}, x, y);
    else closeMenu();
  });
  svg.addEventListener("mouseover", (e) => {
    const s = e.target.closest("[data-server]"), m = e.target.closest("[data-message]");
    const next = m ? {message: m.dataset.message} : s ? {server: s.dataset.server} : null;
    if (JSON.stringify(next) !== JSON.stringify(hover)) { hover = next; drawSide(); }
  });
  svg.addEventListener("mouseleave", () => { hover = null; drawSide(); });
  menu.addEventListener("click", (e) => {
    const b = e.target.closest("[data-action]");
    if (!b || !menuFor) return;
    const target = menuFor.server ? {server: menuFor.server} : menuFor.message ?
      {message: Number(menuFor.message)} : {link: menuFor.link};
    act(b.dataset.action, target);
    closeMenu();
  });
  function togglePlay() {
    playing = !playing;
    lastTick = performance.now();
    drawText();
  }
  root.querySelector(".raft-toolbar").addEventListener("click", (e) => {
    const b = e.target.closest("button");
    if (!b) return;
    if (b.dataset.lang) { model.set("lang", b.dataset.lang); model.save_changes(); return; }
    const c = b.dataset.control;
    if (c === "play") togglePlay();
    else if (c === "help") help.hidden = !help.hidden;
    else if (c) { playing = false; act(c); }
  });
  $(".raft-preset-button").addEventListener("click", () => act("preset", {name: $(".raft-preset").value}));
  $(".raft-reset").addEventListener("click", () => act("reset"));
  $(".raft-heal-all").addEventListener("click", () => act("heal_all"));
  speedSlider.addEventListener("input", () => {
    model.set("speed", Math.pow(10, Number(speedSlider.value))); model.save_changes();
  });
  timeSlider.addEventListener("input", () => {   // live scrubbing: one seek in flight at a time
    dragging = true; playing = false;
    seekWanted = Number(timeSlider.value);
    if (!pending) { act("seek", {t: seekWanted}); seekWanted = null; }
  });
  timeSlider.addEventListener("change", () => {
    dragging = false;
    if (seekWanted !== null && !pending) { act("seek", {t: seekWanted}); seekWanted = null; }
  });
  function keyLeader() {  // RaftScope's keys act on the leader of the highest term
    const leaders = st.servers.filter((s) => s.up && s.role === "leader");
    leaders.sort((a, b) => b.term - a.term);
    return leaders.length ? leaders[0].id : null;
  }
  function keyMessage() {  // the message whose menu is open, else the one under the pointer
    const m = (menuFor && menuFor.message) || (hover && hover.message);
    return m === undefined || m === null ? null : Number(m);
  }
  const KEYS = {  // key -> what it does; the help lists them in this order
    " ": ["Space", "key_play", () => togglePlay()], ".": [null, null, () => togglePlay()],
    ArrowRight: ["→ / S", "key_step", () => act("step")], s: [null, null, () => act("step")],
    ArrowLeft: ["←", "key_back", () => act("back")],
    n: ["N", "key_next", () => act("next_event")],
    c: ["C", "key_request", () => act("request", {server: keyLeader()})],
    k: ["K", "key_crash", () => act("crash", {server: keyLeader()})],
    r: ["R", "key_reboot", () => act("reboot", {server: keyLeader()})],
    b: ["B", "key_restart", () => act("restart_all")],
    t: ["T", "key_timeout", () => act("timeout", {server: model.get("selected") || null})],
    d: ["D", "key_drop", () => act("drop", {message: keyMessage()})],
    a: ["A", "key_align", () => act("align")],
    l: ["L", "key_spread", () => act("spread")],
    f: ["F", "key_fork", () => act("fork")],
    h: ["H", "key_heal", () => act("heal_all")],
    Escape: ["Esc", "key_close", () => { closeMenu(); help.hidden = true; }],
    "?": ["?", "key_help", () => { help.hidden = !help.hidden; }],
  };
  root.addEventListener("keydown", (e) => {
    if (e.target.tagName === "INPUT" || e.target.tagName === "SELECT") return;
    if (e.ctrlKey || e.metaKey || e.altKey) return;   // Ctrl+C stays copy
    const k = KEYS[e.key] || KEYS[e.key.toLowerCase()];
    if (!k) return;
    e.preventDefault(); e.stopPropagation();   // JupyterLab's own A, B, D, F... do not fire
    k[2]();
  });

  // ------------------------------------------------------------------ kernel updates
  const onState = () => {
    const t0 = performance.now();
    st = model.get("state"); arrived = t0; pending = false;
    root.dataset.bytes = encoder.encode(JSON.stringify(st)).length;   // for the benchmark
    drawPicture(); drawSide(); drawStatus(); placeMenu();
    redrawMs += performance.now() - t0;
    root.dataset.redrawMs = redrawMs.toFixed(2);
    if (seekWanted !== null) { act("seek", {t: seekWanted}); seekWanted = null; }
  };
  const onLabels = () => { L = model.get("labels"); drawAll(); };
  const onConfig = () => { cfg = model.get("config"); drawAll(); };
  model.on("change:state", onState);
  model.on("change:labels", onLabels);
  model.on("change:config", onConfig);
  model.on("change:selected", drawAll);
  drawAll();
  return () => {
    cancelAnimationFrame(raf);
    model.off("change:state", onState);
    model.off("change:labels", onLabels);
    model.off("change:config", onConfig);
    model.off("change:selected", drawAll);
  };
}

export default {render};
