// Small SVG charts for the gateway's dashboards: no library, nothing fetched from the internet.
// Each chart records what it drew in data-drawn (points or bars with data), so tests and people can tell an empty
// chart from a drawn one.
'use strict';
(function () {
  const NS = 'http://www.w3.org/2000/svg';
  const HEIGHT = 220;
  const MARGIN = { left: 58, right: 14, top: 10, bottom: 26 };

  function svgEl(name, attrs, parent) {
    const node = document.createElementNS(NS, name);
    for (const [key, value] of Object.entries(attrs || {})) {
      node.setAttribute(key, String(value));
    }
    if (parent) {
      parent.appendChild(node);
    }
    return node;
  }

  // The top of a value axis with four equal steps of 1, 2, 2.5 or 5 times a power of ten (whole steps for counts).
  function niceMax(value, integer) {
    if (!(value > 0)) {
      return integer ? 4 : 1;
    }
    const raw = value / 4;
    const power = Math.pow(10, Math.floor(Math.log10(raw)));
    const n = raw / power;
    let step = (n <= 1 ? 1 : n <= 2 ? 2 : n <= 2.5 ? 2.5 : n <= 5 ? 5 : 10) * power;
    if (integer) {
      step = Math.max(1, Math.ceil(step));
    }
    return step * 4;
  }

  function width(container) {
    return Math.max(280, Math.floor(container.getBoundingClientRect().width || 600));
  }

  function reset(container) {
    container.replaceChildren();
    container.dataset.drawn = '0';
  }

  function empty(container, message) {
    reset(container);
    const note = document.createElement('div');
    note.className = 'chart-empty';
    note.textContent = message || 'No calls in this range';
    container.appendChild(note);
  }

  function legend(container, series) {
    const box = document.createElement('div');
    box.className = 'legend';
    for (const s of series) {
      const item = document.createElement('span');
      const swatch = document.createElement('i');
      swatch.style.background = s.color;
      item.append(swatch, s.name);
      box.appendChild(item);
    }
    container.appendChild(box);
  }

  function timeLabel(ms, spanMs) {
    const d = new Date(ms);
    const pad = (n) => String(n).padStart(2, '0');
    const day = `${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
    const time = `${pad(d.getHours())}:${pad(d.getMinutes())}`;
    return spanMs <= 36 * 3600e3 ? time : spanMs <= 8 * 86400e3 ? `${day} ${time}` : day;
  }

  function bucketName(bucketMs) {
    return bucketMs >= 86400e3 ? 'day' : bucketMs >= 3600e3 ? 'hour' : 'minute';
  }

  function yAxis(svg, w, yMax, format) {
    const plotH = HEIGHT - MARGIN.top - MARGIN.bottom;
    for (let i = 0; i <= 4; i++) {
      const v = (yMax * i) / 4;
      const y = MARGIN.top + plotH - (plotH * i) / 4;
      svgEl('line', { x1: MARGIN.left, x2: w - MARGIN.right, y1: y, y2: y, class: 'gridline' }, svg);
      const label = svgEl('text', { x: MARGIN.left - 6, y: y + 4, class: 'axis', 'text-anchor': 'end' }, svg);
      label.textContent = format(v);
    }
  }

  function timeAxis(svg, w, xMin, xMax) {
    const plotW = w - MARGIN.left - MARGIN.right;
    const ticks = Math.max(2, Math.min(7, Math.floor(plotW / 90)));
    for (let i = 0; i <= ticks; i++) {
      const t = xMin + ((xMax - xMin) * i) / ticks;
      const x = MARGIN.left + (plotW * i) / ticks;
      const label = svgEl('text', { x, y: HEIGHT - 6, class: 'axis', 'text-anchor': i === 0 ? 'start' : i === ticks ? 'end' : 'middle' }, svg);
      label.textContent = timeLabel(t, xMax - xMin);
    }
  }

  function domain(options, times) {
    let xMin = options.xMin ?? Math.min(...times);
    let xMax = options.xMax ?? Math.max(...times);
    if (!(xMax > xMin)) {
      xMin -= 30 * 60e3;
      xMax += 30 * 60e3;
    }
    return [xMin, xMax];
  }

  // series: [{ name, color, points: [[timeMs, value or null]] }]; bucketMs (optional): the width of the bucket each
  // point sums, from its time. A point is drawn at the middle of its bucket, and a point with no neighbour in the buckets
  // beside it (one call in the range, or calls far apart) also as a column as wide as its bucket (6 px at least): a
  // lone dot at the edge of a 24-hour axis is easy to miss.
  function line(container, options) {
    const series = options.series.filter((s) => s.points.some((p) => p[1] !== null && p[1] !== undefined));
    if (series.length === 0) {
      empty(container, options.empty);
      return;
    }
    reset(container);
    legend(container, options.series);
    const w = width(container);
    const svg = svgEl('svg', { viewBox: `0 0 ${w} ${HEIGHT}`, width: w, height: HEIGHT, role: 'img', 'aria-label': options.label || '' }, container);
    const bucketMs = options.bucketMs || 0;
    const times = series.flatMap((s) => s.points.map((p) => p[0]));
    let [xMin, xMax] = domain(options, times);
    xMax = Math.max(xMax, Math.max(...times) + bucketMs);
    const yMax = options.yMax ?? niceMax(Math.max(...series.flatMap((s) => s.points.map((p) => p[1] ?? 0))), options.integer);
    const format = options.format || ((v) => String(v));
    yAxis(svg, w, yMax, format);
    timeAxis(svg, w, xMin, xMax);
    const plotW = w - MARGIN.left - MARGIN.right;
    const plotH = HEIGHT - MARGIN.top - MARGIN.bottom;
    const x = (t) => MARGIN.left + ((t + bucketMs / 2 - xMin) / (xMax - xMin)) * plotW;
    const y = (v) => MARGIN.top + plotH - (Math.min(v, yMax) / yMax) * plotH;
    const columnW = Math.max(6, (bucketMs / (xMax - xMin)) * plotW);
    let drawn = 0;
    for (const s of series) {
      let d = '';
      let pen = false;
      const has = new Set(s.points.filter((p) => p[1] !== null && p[1] !== undefined).map((p) => p[0]));
      for (const [t, v] of s.points) {
        if (v === null || v === undefined) {
          pen = false;
          continue;
        }
        d += `${pen ? 'L' : 'M'}${x(t).toFixed(1)},${y(v).toFixed(1)}`;
        pen = true;
        if (bucketMs > 0 && !has.has(t - bucketMs) && !has.has(t + bucketMs)) {
          const top = y(v);
          const column = svgEl('rect', {
            x: (x(t) - columnW / 2).toFixed(1), y: top.toFixed(1), width: columnW.toFixed(1),
            height: Math.max(1, MARGIN.top + plotH - top).toFixed(1), fill: s.color, class: 'bucket',
          }, svg);
          svgEl('title', {}, column).textContent = `${s.name}: ${format(v)} — ${new Date(t).toLocaleString()} (one ${bucketName(bucketMs)})`;
        }
      }
      svgEl('path', { d, class: 'series', stroke: s.color, fill: 'none' }, svg);
      for (const [t, v] of s.points) {
        if (v === null || v === undefined) {
          continue;
        }
        const dot = svgEl('circle', { cx: x(t).toFixed(1), cy: y(v).toFixed(1), r: s.points.length > 80 ? 1.5 : 3, fill: s.color, class: 'dot' }, svg);
        svgEl('title', {}, dot).textContent = `${s.name}: ${format(v)} — ${new Date(t).toLocaleString()}`;
        drawn++;
      }
    }
    container.dataset.drawn = String(drawn);
  }

  // labels: [string], series: [{ name, color, values: [number or null] }]
  function bars(container, options) {
    const rows = options.labels.length;
    const values = options.series.flatMap((s) => s.values.map((v) => v ?? 0));
    if (rows === 0 || !values.some((v) => v > 0)) {
      empty(container, options.empty);
      return;
    }
    reset(container);
    legend(container, options.series);
    const w = width(container);
    const labelW = Math.min(170, Math.floor(w * 0.32));
    const barH = 12;
    const rowH = options.series.length * (barH + 3) + 10;
    const h = rows * rowH + 8;
    const svg = svgEl('svg', { viewBox: `0 0 ${w} ${h}`, width: w, height: h, role: 'img', 'aria-label': options.label || '' }, container);
    const xMax = niceMax(Math.max(...values));
    const format = options.format || ((v) => String(v));
    const plotW = w - labelW - 70;
    let drawn = 0;
    options.labels.forEach((label, row) => {
      const top = 4 + row * rowH;
      const text = svgEl('text', { x: labelW - 8, y: top + rowH / 2, class: 'label', 'text-anchor': 'end', 'dominant-baseline': 'middle' }, svg);
      text.textContent = label.length > 26 ? label.slice(0, 25) + '…' : label;
      svgEl('title', {}, text).textContent = label;
      options.series.forEach((s, i) => {
        const v = s.values[row];
        if (v === null || v === undefined) {
          return;
        }
        const y = top + 4 + i * (barH + 3);
        const bw = Math.max(v > 0 ? 2 : 0, (v / xMax) * plotW);
        const bar = svgEl('rect', { x: labelW, y, width: bw.toFixed(1), height: barH, rx: 2, fill: s.color, class: 'bar' }, svg);
        svgEl('title', {}, bar).textContent = `${label} — ${s.name}: ${format(v)}`;
        const value = svgEl('text', { x: labelW + bw + 5, y: y + barH / 2, class: 'value', 'dominant-baseline': 'middle' }, svg);
        value.textContent = format(v);
        if (v > 0) {
          drawn++;
        }
      });
    });
    container.dataset.drawn = String(drawn);
  }

  // times: [timeMs], series: [{ name, color, values: [number] }] stacked bottom-up; bucketMs: width of one bucket.
  function stacked(container, options) {
    const totals = options.times.map((_, i) => options.series.reduce((sum, s) => sum + (s.values[i] || 0), 0));
    if (!totals.some((v) => v > 0)) {
      empty(container, options.empty);
      return;
    }
    reset(container);
    legend(container, options.series);
    const w = width(container);
    const svg = svgEl('svg', { viewBox: `0 0 ${w} ${HEIGHT}`, width: w, height: HEIGHT, role: 'img', 'aria-label': options.label || '' }, container);
    let [xMin, xMax] = domain(options, options.times);
    xMax = Math.max(xMax, Math.max(...options.times) + options.bucketMs);
    const yMax = niceMax(Math.max(...totals), options.integer);
    const format = options.format || ((v) => String(v));
    yAxis(svg, w, yMax, format);
    timeAxis(svg, w, xMin, xMax);
    const plotW = w - MARGIN.left - MARGIN.right;
    const plotH = HEIGHT - MARGIN.top - MARGIN.bottom;
    const bw = Math.max(2, (options.bucketMs / (xMax - xMin)) * plotW * 0.8);
    let drawn = 0;
    options.times.forEach((t, i) => {
      let base = 0;
      const x = MARGIN.left + ((t - xMin) / (xMax - xMin)) * plotW;
      for (const s of options.series) {
        const v = s.values[i] || 0;
        if (v <= 0) {
          continue;
        }
        const y0 = MARGIN.top + plotH - (base / yMax) * plotH;
        const y1 = MARGIN.top + plotH - ((base + v) / yMax) * plotH;
        const rect = svgEl('rect', { x: x.toFixed(1), y: y1.toFixed(1), width: bw.toFixed(1), height: Math.max(1, y0 - y1).toFixed(1), fill: s.color, class: 'bar' }, svg);
        svgEl('title', {}, rect).textContent = `${s.name}: ${format(v)} — ${new Date(t).toLocaleString()}`;
        base += v;
        drawn++;
      }
    });
    container.dataset.drawn = String(drawn);
  }

  window.AigwCharts = { line, bars, stacked };
})();
