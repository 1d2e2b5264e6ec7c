'use strict';
// Ordo dashboard: polls the JSON API once a second; resume / skip send the token from the URL's #fragment
// (never sent to the server by the browser) or the token field, in the X-Ordo-Token header.

const POLL_MS = 1000;
const HISTORY = 120;
const samples = {};      // consumer name -> [{t, handled}]
let stuckAfterMillis = 10000;

const tokenField = document.getElementById('token');
const fromFragment = new URLSearchParams(location.hash.slice(1)).get('token');
if (fromFragment) {
  tokenField.value = fromFragment;
  window.history.replaceState(null, '', location.pathname); // keep it out of the address bar
}

function el(tag, text, cls) {
  const e = document.createElement(tag);
  if (text !== undefined && text !== null) e.textContent = String(text);
  if (cls) e.className = cls;
  return e;
}

function row(cells, cls) {
  const tr = el('tr', undefined, cls);
  cells.forEach(c => tr.appendChild(c instanceof Node ? c : el('td', c)));
  return tr;
}

function fill(tableId, rows) {
  const body = document.querySelector('#' + tableId + ' tbody');
  body.replaceChildren(...rows);
}

async function getJson(path) {
  const response = await fetch(path, {cache: 'no-store'});
  const body = await response.json();
  if (!response.ok) throw new Error(body.error || response.status);
  return body;
}

async function act(consumer, action, key) {
  const body = {partition: key.partition, offset: key.offset};
  if (action === 'skip') {
    const reason = prompt('Why is ' + key.key + ' at ' + key.partition + '@' + key.offset + ' given up?');
    if (!reason) return;
    body.reason = reason;
  }
  const response = await fetch('/api/consumers/' + encodeURIComponent(consumer) + '/' + action, {
    method: 'POST',
    headers: {'Content-Type': 'application/json', 'X-Ordo-Token': tokenField.value},
    body: JSON.stringify(body),
  });
  const answer = await response.json();
  document.getElementById('action-result').textContent = response.ok
      ? action + ' ' + key.key + ': ' + JSON.stringify(answer)
      : action + ' refused (' + response.status + '): ' + answer.error;
  refresh();
}

function bytes(n) {
  return n < 1024 ? n + ' B' : n < 1048576 ? (n / 1024).toFixed(1) + ' KiB' : (n / 1048576).toFixed(1) + ' MiB';
}

function seconds(ms) {
  return ms < 1000 ? ms + ' ms' : (ms / 1000).toFixed(1) + ' s';
}

function rate(name) {
  const h = samples[name] || [];
  if (h.length < 2) return 0;
  const a = h[h.length - 2], b = h[h.length - 1];
  return Math.max(0, Math.round((b.handled - a.handled) * 1000 / Math.max(1, b.t - a.t)));
}

// One line per consumer: values between consecutive samples, scaled to the largest.
function drawChart(svgId, maxId, perInterval) {
  const svg = document.getElementById(svgId);
  const series = Object.values(samples).map(h => h.map((p, i) => i === 0 ? 0 : perInterval(h[i - 1], p)));
  const max = Math.max(1, ...series.flat());
  svg.replaceChildren(...series.map(values => {
    const line = document.createElementNS('http://www.w3.org/2000/svg', 'polyline');
    line.setAttribute('points', values.map((v, i) => (i * 600 / (HISTORY - 1)).toFixed(1) + ','
        + (118 - v * 110 / max).toFixed(1)).join(' '));
    return line;
  }));
  document.getElementById(maxId).textContent = String(Math.round(max));
}

function drawCharts() {
  drawChart('throughput', 'throughput-max',
      (a, b) => Math.max(0, (b.handled - a.handled) * 1000 / Math.max(1, b.t - a.t)));
  // The timer gives a mean over all time: the interval's mean comes from the totals' differences.
  drawChart('latency', 'latency-max', (a, b) => b.waitCount > a.waitCount
      ? Math.max(0, (b.waitTotal - a.waitTotal) / (b.waitCount - a.waitCount)) : 0);
}

// Rows are kept and updated in place, so that a button stays the same element while the operator clicks it.
function showStuck(entries) {
  const body = document.querySelector('#stuck-keys tbody');
  const existing = new Map([...body.children].map(tr => [tr.dataset.id, tr]));
  const rows = entries.map(({consumer, key: k}) => {
    const id = consumer + '|' + k.partition + '|' + k.offset;
    let tr = existing.get(id);
    if (!tr) {
      tr = row(['', '', '', '', '', '', el('td', '', 'error'), '', el('td')]);
      tr.dataset.id = id;
      tr.dataset.key = k.key;
    }
    const cells = tr.children;
    [consumer, k.key, k.partition + '@' + k.offset, k.state, seconds(k.sinceMillis), k.attempts, k.lastError || '',
      k.waitingBehind].forEach((text, i) => { cells[i].textContent = String(text); });
    tr.className = k.state;
    const actions = cells[8];
    if (k.state === 'PARKED' && !actions.firstChild) {
      const resume = el('button', 'resume', 'resume');
      resume.onclick = () => act(consumer, 'resume', k);
      const skip = el('button', 'skip', 'skip');
      skip.onclick = () => act(consumer, 'skip', k);
      actions.append(resume, ' ', skip);
    } else if (k.state !== 'PARKED') {
      actions.replaceChildren();
    }
    return tr;
  });
  body.replaceChildren(...rows);
}

async function refresh() {
  try {
    const consumers = await getJson('/api/consumers');
    const now = Date.now();
    const stuckRows = [];
    for (const c of consumers) {
      (samples[c.name] = samples[c.name] || []).push({t: now, handled: c.stats.handled,
        waitTotal: c.waitMillis ? c.waitMillis.mean * c.waitMillis.count : 0,
        waitCount: c.waitMillis ? c.waitMillis.count : 0});
      if (samples[c.name].length > HISTORY) samples[c.name].shift();
      const keys = await getJson('/api/consumers/' + encodeURIComponent(c.name) + '/keys');
      for (const k of keys.filter(k => k.stuck)) {
        stuckRows.push({consumer: c.name, key: k});
      }
    }
    fill('consumers', consumers.map(c => row([c.name, c.topic, c.group, c.assignment.slice().sort((a, b) => a - b).join(','), c.stats.handled,
      rate(c.name), c.lagRecords < 0 ? '?' : c.lagRecords, c.stats.inFlight, c.keysInFlight, c.stuckKeys, c.stats.parkedKeys,
      c.stats.retries, c.stats.deadLettered, c.stats.skipped,
      c.waitMillis ? c.waitMillis.mean.toFixed(1) + ' / ' + c.waitMillis.max.toFixed(0) + ' ms' : '',
      c.handlerMillis ? c.handlerMillis.mean.toFixed(2) + ' ms' : ''])));
    await refreshSequences();
    showStuck(stuckRows);
    for (const id of ['explain-consumer', 'redrive-consumer']) {
      const select = document.getElementById(id);
      if (select.options.length !== consumers.length) {
        select.replaceChildren(...consumers.map(c => el('option', c.name)));
      }
    }
    const redrives = await getJson('/api/redrives');
    fill('redrives', redrives.map(r => row([r.consumer, r.deadLetterTopic, r.topic, r.redriven, r.left,
      r.failure ? 'failed: ' + r.failure : (r.done ? 'yes' : 'no')])));
    drawCharts();
    document.getElementById('status').textContent = 'live · ' + new Date(now).toLocaleTimeString();
    document.getElementById('status').className = '';
  } catch (e) {
    document.getElementById('status').textContent = 'server not answering: ' + e.message;
    document.getElementById('status').className = 'down';
  }
}

async function sequenceAction(resequencer, action, source, nextExpected) {
  const body = {source: source};
  if (action === 'skip') {
    const through = prompt('Give up ' + source + "'s missing messages through which sequence number?",
        String(nextExpected));
    const reason = through && prompt('Why are they given up?');
    if (!reason) return;
    body.through = Number(through);
    body.reason = reason;
  }
  const response = await fetch('/api/resequencers/' + encodeURIComponent(resequencer) + '/' + action, {
    method: 'POST',
    headers: {'Content-Type': 'application/json', 'X-Ordo-Token': tokenField.value},
    body: JSON.stringify(body),
  });
  const answer = await response.json();
  document.getElementById('action-result').textContent = response.ok
      ? action + ' ' + source + ': ' + JSON.stringify(answer)
      : action + ' refused (' + response.status + '): ' + answer.error;
}

async function refreshSequences() {
  const resequencers = await getJson('/api/resequencers');
  const violations = await getJson('/api/violations');
  document.getElementById('sequences').hidden =
      resequencers.length === 0 && Object.keys(violations).length === 0;
  const rows = [];
  for (const r of resequencers) {
    const halted = new Map(r.halted.map(h => [h.source, h]));
    for (const g of r.gaps) {
      const actions = el('td');
      const halt = halted.get(g.source);
      if (halt) {
        const resume = el('button', 'resume', 'resume-source');
        resume.onclick = () => sequenceAction(r.name, 'resume', g.source);
        const skip = el('button', 'skip', 'skip-source');
        skip.onclick = () => sequenceAction(r.name, 'skip', g.source, g.to);
        actions.append(resume, ' ', skip);
      }
      const tr = row([r.name, g.source, g.from === g.to ? g.from : g.from + '–' + g.to, seconds(g.ageMillis),
        g.heldBehind, halt ? 'HALTED' : 'waiting', actions], halt ? 'PARKED' : '');
      tr.dataset.source = g.source;
      rows.push(tr);
    }
  }
  fill('gaps', rows);
  fill('violations', Object.entries(violations).map(([name, counts]) => row([name,
    Object.entries(counts).filter(([, n]) => n > 0).map(([kind, n]) => kind + ' ' + n).join(', ') || 'none'])));
}

async function refreshCatalog() {
  const server = await getJson('/api/server');
  stuckAfterMillis = server.stuckAfterMillis;
  document.getElementById('stuck-after').textContent = seconds(stuckAfterMillis);
  if (!server.catalog) {
    document.getElementById('catalog').hidden = true;
    return;
  }
  const topics = await getJson('/api/topics');
  fill('topics', topics.map(t => row([t.name, t.partitions.length,
    t.partitions.reduce((sum, p) => sum + p.endOffset - p.startOffset, 0),
    t.partitions.some(p => p.sizeBytes < 0) ? '' : bytes(t.partitions.reduce((sum, p) => sum + p.sizeBytes, 0)),
    t.layouts.join(' → '), t.fsync,
    t.sealed || ''])));
  const groups = await getJson('/api/groups');
  fill('groups', groups.map(g => row([g.topic, g.group, g.lag,
    g.partitions.map(p => p.partition + ':' + p.committed).join(' '),
    g.members.map(m => m.id + ' [' + m.partitions.join(',') + ']').join('; ')])));
}

document.getElementById('redrive-form').onsubmit = async event => {
  event.preventDefault();
  const consumer = document.getElementById('redrive-consumer').value;
  const response = await fetch('/api/consumers/' + encodeURIComponent(consumer) + '/redrive', {
    method: 'POST',
    headers: {'Content-Type': 'application/json', 'X-Ordo-Token': tokenField.value},
    body: JSON.stringify({deadLetterTopic: document.getElementById('redrive-topic').value}),
  });
  const answer = await response.json();
  document.getElementById('action-result').textContent = response.ok
      ? 'redriving ' + answer.redriving + ' into ' + answer.into
      : 'redrive refused (' + response.status + '): ' + answer.error;
};

document.getElementById('explain-form').onsubmit = async event => {
  event.preventDefault();
  const consumer = document.getElementById('explain-consumer').value;
  const asked = document.getElementById('explain-key').value;
  // partition@offset asks about one record; anything else is a key.
  const record = /^(\d+)@(\d+)$/.exec(asked.trim());
  const query = record
      ? 'partition=' + record[1] + '&offset=' + record[2]
      : 'key=' + encodeURIComponent(asked);
  try {
    const answer = await getJson('/api/consumers/' + encodeURIComponent(consumer) + '/explain?' + query);
    document.getElementById('explain-result').textContent = answer.status + '\n' + answer.reasons.join('\n');
  } catch (e) {
    document.getElementById('explain-result').textContent = e.message;
  }
};

// A poll starts only once the last one answered: a slow engine never piles requests up on the server.
function every(ms, poll) {
  const next = () => poll().catch(() => {}).finally(() => setTimeout(next, ms));
  next();
}

every(POLL_MS, refresh);
every(5 * POLL_MS, refreshCatalog);
