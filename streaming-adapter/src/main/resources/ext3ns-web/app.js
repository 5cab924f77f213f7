// The EXT3NS web page: the store's titles (GET /api/titles), each played with hls.js from its HLS master playlist,
// and the server's /metrics as live numbers and a small chart. window.ext3ns holds the player's state for tests.
'use strict';

const state = { title: null, errors: [], hls: null };
window.ext3ns = state;

const video = document.getElementById('player');
const statusLine = document.getElementById('status');

video.addEventListener('error', () => {
  const e = video.error;
  state.errors.push('video error ' + (e ? e.code + ' ' + e.message : ''));
  statusLine.textContent = 'Error: ' + state.errors[state.errors.length - 1];
});
video.addEventListener('playing', () => { statusLine.textContent = 'Playing ' + state.title; });

function play(url, name) {
  state.title = name || url;
  if (state.hls) {
    state.hls.destroy();
    state.hls = null;
  }
  if (window.Hls && Hls.isSupported()) {
    const hls = new Hls();
    hls.on(Hls.Events.ERROR, (event, data) => {
      if (data.fatal) {
        state.errors.push('hls.js ' + data.type + ': ' + data.details);
        statusLine.textContent = 'Error: ' + data.details;
      }
    });
    hls.loadSource(url);
    hls.attachMedia(video);
    state.hls = hls;
  } else if (video.canPlayType('application/vnd.apple.mpegurl')) {
    video.src = url; // Safari plays HLS itself
  } else {
    state.errors.push('this browser plays neither HLS nor Media Source Extensions');
    return;
  }
  statusLine.textContent = 'Loading ' + state.title;
  video.play().catch(e => state.errors.push('play(): ' + e.message));
}
window.playTitle = play;

function formatDuration(s) {
  const m = Math.floor(s / 60), sec = Math.floor(s % 60);
  return m + ':' + String(sec).padStart(2, '0');
}

function formatSize(bytes) {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let i = 0;
  while (bytes >= 1024 && i < units.length - 1) { bytes /= 1024; i++; }
  return bytes.toFixed(i === 0 ? 0 : 1) + ' ' + units[i];
}

async function loadTitles() {
  const body = document.querySelector('#titles tbody');
  const titles = await (await fetch('/api/titles')).json();
  state.titles = titles;
  body.replaceChildren();
  for (const t of titles) {
    const row = document.createElement('tr');
    const cells = [t.name, t.duration !== undefined ? formatDuration(t.duration) : '–', formatSize(t.size),
      t.error ? t.error : (t.codecs || []).join(', ')];
    for (const text of cells) {
      const td = document.createElement('td');
      td.textContent = text;
      row.appendChild(td);
    }
    const td = document.createElement('td');
    if (t.hls) {
      const button = document.createElement('button');
      button.textContent = 'Play';
      button.addEventListener('click', () => play(t.hls, t.name));
      td.appendChild(button);
    } else {
      row.classList.add('error');
    }
    row.appendChild(td);
    body.appendChild(row);
  }
}

// --- /metrics: live numbers and a chart of the last two minutes ---------------------------------------------------

const history = [];           // {streams, gbps, hitRate}
const HISTORY = 120;
let previous = null;          // last scrape's counters and time

function sum(text, name) {
  let total = 0, found = false;
  for (const line of text.split('\n')) {
    if (line.startsWith(name + ' ') || line.startsWith(name + '{')) {
      total += Number(line.substring(line.lastIndexOf(' ') + 1));
      found = true;
    }
  }
  return found ? total : 0;
}

async function scrape() {
  const text = await (await fetch('/metrics')).text();
  const now = performance.now();
  const counters = {
    bytes: sum(text, 'ext3ns_rtp_bytes_sent_total') + sum(text, 'ext3ns_http_bytes_sent_total'),
    hits: sum(text, 'ext3ns_cache_hits_total'),
    misses: sum(text, 'ext3ns_cache_misses_total'),
  };
  const streams = sum(text, 'ext3ns_streams');
  if (previous) {
    const seconds = (now - previous.time) / 1000;
    const gbps = seconds > 0 ? (counters.bytes - previous.bytes) * 8 / seconds / 1e9 : 0;
    const lookups = (counters.hits - previous.hits) + (counters.misses - previous.misses);
    const hitRate = lookups > 0 ? (counters.hits - previous.hits) / lookups : null;
    history.push({ streams, gbps, hitRate });
    if (history.length > HISTORY) history.shift();
    document.getElementById('numbers').textContent = 'streams: ' + streams + ' · Gbit/s: ' + gbps.toFixed(3)
      + ' · cache hit rate: ' + (hitRate === null ? '–' : (hitRate * 100).toFixed(1) + ' %');
    draw();
  }
  previous = { time: now, ...counters };
  state.scrapes = (state.scrapes || 0) + 1;
}

function draw() {
  const canvas = document.getElementById('chart');
  const g = canvas.getContext('2d');
  g.clearRect(0, 0, canvas.width, canvas.height);
  const series = [
    { key: 'streams', color: '#1f77b4' },
    { key: 'gbps', color: '#d62728' },
    { key: 'hitRate', color: '#2ca02c', max: 1 },
  ];
  for (const s of series) {
    const values = history.map(h => h[s.key]);
    const max = s.max || Math.max(1e-9, ...values.filter(v => v !== null));
    g.strokeStyle = s.color;
    g.beginPath();
    values.forEach((v, i) => {
      if (v === null) return;
      const x = i * (canvas.width - 1) / (HISTORY - 1);
      const y = canvas.height - 2 - v / max * (canvas.height - 4);
      i === 0 ? g.moveTo(x, y) : g.lineTo(x, y);
    });
    g.stroke();
  }
}

loadTitles().catch(e => { state.errors.push('titles: ' + e.message); });
scrape().catch(() => {});
setInterval(() => scrape().catch(() => {}), 1000);
