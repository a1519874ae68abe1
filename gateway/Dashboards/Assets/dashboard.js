// The dashboards' page logic: filters kept in the address bar, the admin key kept in this tab only (sessionStorage),
// data from the gateway's metrics API, charts from charts.js, refreshed on a timer.
'use strict';
(function () {
  const KEY_STORAGE = 'aigw-admin-key';
  const RANGES = { '1h': 3600e3, '6h': 6 * 3600e3, '24h': 86400e3, '7d': 7 * 86400e3, '30d': 30 * 86400e3 };
  const BUCKETS = { '1h': 'minute', '6h': 'minute', '24h': 'hour', '7d': 'hour', '30d': 'day', all: 'day' };
  const COLORS = { blue: '#2f6fde', green: '#1f9d6b', orange: '#e8871e', red: '#d64545', purple: '#7d5bd6', grey: '#8a94a6', teal: '#1aa3b5' };
  const page = document.body.dataset.page;
  const form = document.getElementById('filters');
  const status = document.getElementById('status');
  const keyPanel = document.getElementById('key-panel');
  let timer = null;
  let loading = false;

  // A key handed over in the fragment (#key=…) never reaches a server log; it is moved to this tab's storage at once.
  const fragment = new URLSearchParams(location.hash.slice(1));
  if (fragment.get('key')) {
    sessionStorage.setItem(KEY_STORAGE, fragment.get('key'));
    history.replaceState(null, '', location.pathname + location.search);
  }

  const query = new URLSearchParams(location.search);
  for (const name of ['org', 'route', 'model', 'range', 'from', 'to', 'refresh', 'top']) {
    if (query.has(name) && form.elements[name]) {
      form.elements[name].value = query.get(name);
    }
  }

  // Between a figure and its unit, so that a card that must wrap does so between figures.
  const NBSP = '\u00a0';

  // Three significant digits without an exponent (0.000123, 12.3, 456).
  function sig3(n) {
    return String(Number(n.toPrecision(3)));
  }

  // Every figure is shortened to fit a card (k and M, ms and s, µ$ under a tenth of a cent) rather than cut off.
  function money(v) {
    if (v === null || v === undefined) {
      return '–';
    }
    const n = Number(v);
    const a = Math.abs(n);
    if (n === 0) {
      return '$0';
    }
    if (a >= 1e6) {
      return `$${sig3(n / 1e6)}M`;
    }
    if (a >= 1e3) {
      return `$${sig3(n / 1e3)}k`;
    }
    if (a >= 1) {
      return `$${n.toFixed(2)}`;
    }
    return a >= 1e-3 ? `$${sig3(n)}` : `${sig3(n * 1e6)}${NBSP}µ$`;
  }

  function count(v) {
    if (v === null || v === undefined) {
      return '–';
    }
    const n = Number(v);
    const a = Math.abs(n);
    if (a >= 1e9) {
      return `${sig3(n / 1e9)}B`;
    }
    if (a >= 1e6) {
      return `${sig3(n / 1e6)}M`;
    }
    if (a >= 1e4) {
      return `${sig3(n / 1e3)}k`;
    }
    return Number.isInteger(n) ? n.toLocaleString('en-US') : sig3(n);
  }

  // A rate given per second, in the unit that keeps it readable: per second, else per minute, else per hour.
  function rate(v, unit) {
    const n = Number(v);
    if (!(n > 0)) {
      return `0${NBSP}${unit}/s`;
    }
    if (n >= 1) {
      return `${count(n)}${NBSP}${unit}/s`;
    }
    return n * 60 >= 1 ? `${sig3(n * 60)}${NBSP}${unit}/min` : `${sig3(n * 3600)}${NBSP}${unit}/h`;
  }

  function ms(v) {
    if (v === null || v === undefined) {
      return '–';
    }
    if (v < 1000) {
      return `${v < 10 ? sig3(v) : Math.round(v)}${NBSP}ms`;
    }
    return v < 60e3 ? `${sig3(v / 1000)}${NBSP}s` : `${sig3(v / 60e3)}${NBSP}min`;
  }

  function percent(v) {
    return v === null || v === undefined ? '–' : `${(v * 100).toFixed(1)}%`;
  }

  function routeName(route) {
    return route === '' ? '(no route)' : route;
  }

  function modelName(model) {
    return model === '' ? '(no model)' : model;
  }

  function filters() {
    const params = new URLSearchParams();
    for (const name of ['org', 'route', 'model']) {
      const value = form.elements[name].value.trim();
      if (value) {
        params.set(name, value);
      }
    }
    const range = form.elements.range.value;
    const now = Date.now();
    let xMin = null;
    let xMax = now;
    if (range === 'custom') {
      const from = form.elements.from.value;
      const to = form.elements.to.value;
      if (from) {
        xMin = new Date(from).getTime();
        params.set('from', new Date(from).toISOString());
      }
      if (to) {
        xMax = new Date(to).getTime();
        params.set('to', new Date(to).toISOString());
      }
    } else if (RANGES[range]) {
      xMin = now - RANGES[range];
      params.set('from', new Date(xMin).toISOString());
    }
    return { params, xMin, xMax, bucket: BUCKETS[range] };
  }

  // The costs export for the same org and the whole UTC days that cover the range (the rollup holds days, not hours).
  function costsLink(view) {
    const link = document.getElementById('costs-csv');
    if (!link) {
      return;
    }
    const params = new URLSearchParams();
    const org = form.elements.org.value.trim();
    if (org) {
      params.set('org', org);
    }
    const day = (ms) => new Date(ms).toISOString().slice(0, 10);
    if (view.xMin !== null) {
      params.set('from', day(view.xMin));
    }
    if (form.elements.range.value === 'custom' && form.elements.to.value) {
      params.set('to', day(view.xMax + 86400e3 - 1));
    }
    const query = params.toString();
    link.href = `/api/costs.csv${query ? '?' + query : ''}`;
  }

  function remember() {
    const params = new URLSearchParams();
    for (const name of ['org', 'route', 'model', 'range', 'refresh', 'top']) {
      if (form.elements[name] && form.elements[name].value) {
        params.set(name, form.elements[name].value);
      }
    }
    if (form.elements.range.value === 'custom') {
      for (const name of ['from', 'to']) {
        if (form.elements[name].value) {
          params.set(name, form.elements[name].value);
        }
      }
    }
    history.replaceState(null, '', `${location.pathname}?${params}`);
    for (const link of document.querySelectorAll('nav a')) {
      link.search = params.toString();
    }
    document.getElementById('custom-range').hidden = form.elements.range.value !== 'custom';
  }

  async function getJson(path, params) {
    const headers = { Accept: 'application/json' };
    const key = sessionStorage.getItem(KEY_STORAGE);
    if (key) {
      headers.Authorization = `Bearer ${key}`;
    }
    const response = await fetch(`${path}?${params}`, { headers, cache: 'no-store' });
    if (response.status === 401) {
      const error = new Error('The metrics API needs the admin key (Gateway:Admin:Key).');
      error.unauthorized = true;
      throw error;
    }
    const body = await response.json().catch(() => null);
    if (!response.ok) {
      throw new Error(body?.error?.message || `HTTP ${response.status}`);
    }
    return body;
  }

  // values: id → text, or [text, title] where the title holds what the text rounds (an exact amount).
  function setKpis(values) {
    for (const [id, value] of Object.entries(values)) {
      const node = document.getElementById(id);
      if (node) {
        const [text, title] = Array.isArray(value) ? value : [value, ''];
        node.textContent = text;
        node.title = title;
      }
    }
  }

  function fillOptions(id, values) {
    const list = document.getElementById(id);
    list.replaceChildren(...values.filter((v) => v !== '').map((v) => Object.assign(document.createElement('option'), { value: v })));
  }

  function table(id, columns, rows, none = 'No calls in this range', open = null) {
    const body = document.querySelector(`#${id} tbody`);
    body.replaceChildren();
    for (const row of rows) {
      const tr = document.createElement('tr');
      if (open) {
        tr.className = 'openable';
        tr.tabIndex = 0;
        tr.addEventListener('click', () => open(row));
        tr.addEventListener('keydown', (event) => { if (event.key === 'Enter') open(row); });
      }
      for (const column of columns) {
        const td = document.createElement('td');
        td.textContent = column(row);
        tr.appendChild(td);
      }
      body.appendChild(tr);
    }
    if (rows.length === 0) {
      const tr = document.createElement('tr');
      const td = document.createElement('td');
      td.colSpan = columns.length;
      td.className = 'none';
      td.textContent = none;
      tr.appendChild(td);
      body.appendChild(tr);
    }
  }

  // A call's stored payload (GET /api/logs/{id}): the full admin key only, and the read is audited.
  async function showPayload(id) {
    const view = document.getElementById('payload-view');
    const status = document.getElementById('payload-status');
    const request = document.getElementById('payload-request');
    const response = document.getElementById('payload-response');
    document.getElementById('payload-id').textContent = id;
    status.textContent = 'Loading…';
    request.textContent = '';
    response.textContent = '';
    view.hidden = false;
    const headers = { Accept: 'application/json' };
    const key = sessionStorage.getItem(KEY_STORAGE);
    if (key) {
      headers.Authorization = `Bearer ${key}`;
    }
    try {
      const answer = await fetch(`/api/logs/${encodeURIComponent(id)}`, { headers, cache: 'no-store' });
      const body = await answer.json().catch(() => null);
      if (!answer.ok) {
        status.textContent = answer.status === 403 ? 'Payloads need the full admin key (Gateway:Admin:Key).' : (body?.error?.message || `HTTP ${answer.status}`);
        return;
      }
      const payload = body.payload;
      if (!payload) {
        status.textContent = 'No payload stored for this call (its org or customer has payload logging off, or it is past retention).';
        return;
      }
      const redactions = Object.entries(payload.redactions || {}).map(([type, n]) => `${n} ${type}`).join(', ');
      status.textContent = `Level ${payload.level}${payload.truncated ? ', truncated' : ''}${redactions ? `; redacted: ${redactions}` : ''}`;
      request.textContent = pretty(payload.request);
      response.textContent = payload.response === null ? '(not stored: a cache hit or a follower refers to the call that produced it)' : pretty(payload.response);
    } catch (error) {
      status.textContent = error.message;
    }
  }

  document.getElementById('payload-close')?.addEventListener('click', () => {
    document.getElementById('payload-view').hidden = true;
  });

  function pretty(text) {
    try {
      return JSON.stringify(JSON.parse(text), null, 2);
    } catch {
      return text;
    }
  }

  function times(series) {
    return series.points.map((p) => Date.parse(p.ts));
  }

  function renderAi(report, series, view) {
    const top = form.elements.top.value;
    for (const node of document.querySelectorAll('.top-n')) {
      node.textContent = top;
    }
    setKpis({
      'kpi-requests': count(report.requests),
      'kpi-hit-rate': percent(report.cache_hit_rate),
      'kpi-hits': count(report.cache_hits),
      'kpi-followers': count(report.dedupe_followers),
      'kpi-cost': [money(report.cost_usd), `$${report.cost_usd}`],
      'kpi-saved': [money(report.saved_usd), `$${report.saved_usd}`],
      'kpi-duration': `${ms(report.duration_p50_ms)} / ${ms(report.duration_p95_ms)}`,
      'kpi-ttft': `${ms(report.ttft_p50_ms)} / ${ms(report.ttft_p95_ms)}`,
    });
    const t = times(series);
    const bucketMs = series.bucket_seconds * 1000;
    const charts = window.AigwCharts;
    charts.line(document.getElementById('chart-hit-rate'), {
      label: 'Cache hit rate over time', xMin: view.xMin, xMax: view.xMax, bucketMs, yMax: 100, format: (v) => `${Math.round(v)}%`,
      series: [{ name: 'Cache hit rate', color: COLORS.green, points: series.points.map((p, i) => [t[i], p.cache_hit_rate * 100]) }],
    });
    charts.line(document.getElementById('chart-requests'), {
      label: 'Requests over time', xMin: view.xMin, xMax: view.xMax, bucketMs, format: count, integer: true,
      series: [
        { name: 'Requests', color: COLORS.blue, points: series.points.map((p, i) => [t[i], p.requests]) },
        { name: 'Cache hits', color: COLORS.green, points: series.points.map((p, i) => [t[i], p.cache_hits]) },
        { name: 'Dedupe followers', color: COLORS.purple, points: series.points.map((p, i) => [t[i], p.dedupe_followers]) },
      ],
    });
    charts.bars(document.getElementById('chart-cost-model'), {
      label: 'Cost by model', format: money, labels: report.by_model.map((m) => modelName(m.model)),
      series: [
        { name: 'Cost', color: COLORS.blue, values: report.by_model.map((m) => m.cost_usd) },
        { name: 'Saved by cache and dedupe', color: COLORS.green, values: report.by_model.map((m) => m.saved_usd) },
      ],
    });
    charts.bars(document.getElementById('chart-cost-route'), {
      label: 'Cost by route', format: money, labels: report.by_route.map((r) => routeName(r.route)),
      series: [
        { name: 'Cost', color: COLORS.blue, values: report.by_route.map((r) => r.cost_usd) },
        { name: 'Saved by cache and dedupe', color: COLORS.green, values: report.by_route.map((r) => r.saved_usd) },
      ],
    });
    charts.bars(document.getElementById('chart-avg-cost-model'), {
      label: 'Average cost per call by model', format: money, labels: report.by_model.map((m) => modelName(m.model)),
      series: [{ name: 'Cost per call (cache hits and followers count as $0)', color: COLORS.blue, values: report.by_model.map((m) => m.avg_cost_usd) }],
    });
    charts.bars(document.getElementById('chart-avg-cost-route'), {
      label: 'Average cost per call by route', format: money, labels: report.by_route.map((r) => routeName(r.route)),
      series: [{ name: 'Cost per call (cache hits and followers count as $0)', color: COLORS.blue, values: report.by_route.map((r) => r.avg_cost_usd) }],
    });
    charts.bars(document.getElementById('chart-duration-model'), {
      label: 'Duration per model', format: ms, labels: report.by_model.map((m) => modelName(m.model)),
      series: [
        { name: 'p50', color: COLORS.teal, values: report.by_model.map((m) => m.duration_p50_ms) },
        { name: 'p95', color: COLORS.orange, values: report.by_model.map((m) => m.duration_p95_ms) },
      ],
    });
    charts.bars(document.getElementById('chart-slow-routes'), {
      label: 'Slowest routes', format: ms, labels: report.slowest_routes.map((r) => routeName(r.route)),
      series: [
        { name: 'p50', color: COLORS.teal, values: report.slowest_routes.map((r) => r.duration_p50_ms) },
        { name: 'p95', color: COLORS.orange, values: report.slowest_routes.map((r) => r.duration_p95_ms) },
      ],
    });
    table('table-expensive', [
      (c) => new Date(c.ts).toLocaleString(), (c) => c.org_id, (c) => routeName(c.route), (c) => modelName(c.model),
      (c) => count(c.prompt_tokens), (c) => count(c.completion_tokens), (c) => money(c.cost_usd), (c) => ms(c.duration_ms),
    ], report.top_expensive, undefined, (c) => showPayload(c.id));
    table('table-called', [
      (r) => routeName(r.route), (r) => count(r.requests), (r) => percent(r.cache_hit_rate), (r) => money(r.cost_usd), (r) => money(r.avg_cost_usd),
    ], report.most_called_routes);
  }

  function renderStreams(report, series, view) {
    const sum = (name) => series.points.reduce((total, p) => total + p[name], 0);
    const streams = sum('streams');
    const drops = sum('stream_drops');
    const rangeSeconds = view.xMin ? (view.xMax - view.xMin) / 1000 : series.points.length * series.bucket_seconds;
    setKpis({
      'kpi-streams': count(streams),
      'kpi-live': count(sum('live_streams')),
      'kpi-replays': count(sum('stream_cache_replays')),
      'kpi-followers': count(sum('stream_followers')),
      'kpi-drops': `${count(drops)} (${percent(streams ? drops / streams : 0)})`,
      'kpi-resumes': `${count(sum('stream_resumes'))} (${count(sum('stream_retried_resumes'))})`,
      'kpi-fallbacks': count(sum('stream_fallbacks')),
      'kpi-stops': count(sum('stream_stops')),
      'kpi-throughput': rate(rangeSeconds > 0 ? sum('stream_completion_tokens') / rangeSeconds : 0, 'tok'),
      'kpi-ttft': `${ms(report.ttft_p50_ms)} / ${ms(report.ttft_p95_ms)}`,
    });
    const t = times(series);
    const perSecond = (v) => v / series.bucket_seconds;
    const bucketMs = series.bucket_seconds * 1000;
    const charts = window.AigwCharts;
    charts.line(document.getElementById('chart-throughput'), {
      label: 'Token throughput', xMin: view.xMin, xMax: view.xMax, bucketMs, format: (v) => `${count(v)} tok/s`,
      series: [
        { name: 'Stream output tokens/s', color: COLORS.blue, points: series.points.map((p, i) => [t[i], perSecond(p.stream_completion_tokens)]) },
        { name: 'All tokens/s (input + output)', color: COLORS.grey, points: series.points.map((p, i) => [t[i], perSecond(p.prompt_tokens + p.completion_tokens)]) },
      ],
    });
    charts.line(document.getElementById('chart-ttft'), {
      label: 'Time to first token', xMin: view.xMin, xMax: view.xMax, bucketMs, format: ms,
      series: [
        { name: 'TTFT p50', color: COLORS.teal, points: series.points.map((p, i) => [t[i], p.ttft_p50_ms]) },
        { name: 'TTFT p95', color: COLORS.orange, points: series.points.map((p, i) => [t[i], p.ttft_p95_ms]) },
      ],
    });
    charts.stacked(document.getElementById('chart-drops'), {
      label: 'Drops, resumes, fallbacks and stops', times: t, bucketMs, xMin: view.xMin, xMax: view.xMax, format: count, integer: true,
      empty: 'No drops, resumes, fallbacks or stops in this range',
      series: [
        { name: 'Dropped (failed, or the client left)', color: COLORS.red, values: series.points.map((p) => p.stream_drops) },
        { name: 'Resumed (Last-Event-ID)', color: COLORS.orange, values: series.points.map((p) => p.stream_resumes) },
        { name: 'Non-stream fallback', color: COLORS.purple, values: series.points.map((p) => p.stream_fallbacks) },
        { name: 'Stopped (released or cancelled)', color: COLORS.grey, values: series.points.map((p) => p.stream_stops) },
      ],
    });
    charts.stacked(document.getElementById('chart-sources'), {
      label: 'Cache replays vs live streams', times: t, bucketMs, xMin: view.xMin, xMax: view.xMax, format: count, integer: true,
      series: [
        { name: 'Live from upstream', color: COLORS.blue, values: series.points.map((p) => p.live_streams - p.stream_followers) },
        { name: 'Joined live (dedupe)', color: COLORS.purple, values: series.points.map((p) => p.stream_followers) },
        { name: 'Replayed from cache', color: COLORS.green, values: series.points.map((p) => p.stream_cache_replays) },
        { name: 'Resumed', color: COLORS.orange, values: series.points.map((p) => p.stream_resumes) },
      ],
    });
    const streamed = report.by_model.filter((m) => m.ttft_p50_ms !== null);
    charts.bars(document.getElementById('chart-ttft-model'), {
      label: 'TTFT per model', format: ms, labels: streamed.map((m) => modelName(m.model)),
      series: [
        { name: 'p50', color: COLORS.teal, values: streamed.map((m) => m.ttft_p50_ms) },
        { name: 'p95', color: COLORS.orange, values: streamed.map((m) => m.ttft_p95_ms) },
      ],
    });
  }

  // The calls running now on every instance (/api/inflight), polled on a short timer of their own: they change by the second.
  let inflightTimer = null;
  async function loadInflight() {
    if (page !== 'streams' || document.hidden) {
      return;
    }
    try {
      const params = new URLSearchParams();
      for (const name of ['org', 'route']) {
        const value = form.elements[name].value.trim();
        if (value) {
          params.set(name, value);
        }
      }
      const inflight = await getJson('/api/inflight', params);
      const missing = inflight.missing_instances.length ? ` · no answer from ${inflight.missing_instances.join(', ')}` : '';
      document.getElementById('inflight-count').textContent =
        `${count(inflight.calls.length)} call${inflight.calls.length === 1 ? '' : 's'} on ${inflight.instances.length} instance${inflight.instances.length === 1 ? '' : 's'}${missing}`;
      table('table-inflight', [
        (c) => new Date(c.started_at).toLocaleTimeString(), (c) => ms(c.elapsed_ms), (c) => c.org, (c) => c.customer ?? '–',
        (c) => routeName(c.route ?? ''), (c) => modelName(c.model ?? ''), (c) => (c.stream ? 'stream' : 'body'), (c) => count(c.events),
        (c) => count(c.readers), (c) => c.instance, (c) => c.id,
      ], inflight.calls, 'No call in flight');
      document.getElementById('table-inflight').dataset.loaded = 'true';
    } catch (error) {
      document.getElementById('inflight-count').textContent = error.message;
    }
  }

  function scheduleInflight() {
    if (page === 'streams' && inflightTimer === null) {
      inflightTimer = setInterval(loadInflight, 2000);
      loadInflight();
    }
  }

  async function load() {
    if (loading) {
      return;
    }
    loading = true;
    remember();
    const view = filters();
    const reportParams = new URLSearchParams(view.params);
    if (form.elements.top) {
      reportParams.set('top', form.elements.top.value);
    }
    const seriesParams = new URLSearchParams(view.params);
    if (view.bucket) {
      seriesParams.set('bucket', view.bucket);
    }
    status.textContent = 'Loading…';
    status.className = 'status';
    try {
      const [report, series] = await Promise.all([
        getJson('/api/metrics/ai-performance', reportParams),
        getJson('/api/metrics/ai-performance/timeseries', seriesParams),
      ]);
      keyPanel.hidden = true;
      fillOptions('models', report.by_model.map((m) => m.model));
      fillOptions('routes', report.by_route.map((r) => r.route));
      costsLink(view);
      if (view.xMin === null && series.points.length > 0) {
        view.xMin = Date.parse(series.points[0].ts);
      }
      (page === 'streams' ? renderStreams : renderAi)(report, series, view);
      scheduleInflight();
      status.textContent = `Updated ${new Date().toLocaleTimeString()}`;
      document.body.dataset.state = 'ready';
    } catch (error) {
      status.textContent = error.message;
      status.className = 'status error';
      if (error.unauthorized) {
        keyPanel.hidden = false;
        document.getElementById('key').focus();
      }
      document.body.dataset.state = error.unauthorized ? 'needs-key' : 'error';
    } finally {
      loading = false;
    }
  }

  function schedule() {
    clearInterval(timer);
    const seconds = Number(form.elements.refresh.value);
    if (seconds > 0) {
      timer = setInterval(() => {
        if (!document.hidden) {
          load();
        }
      }, seconds * 1000);
    }
  }

  form.addEventListener('change', () => {
    schedule();
    load();
  });
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    load();
  });
  document.getElementById('key-form').addEventListener('submit', (event) => {
    event.preventDefault();
    const key = document.getElementById('key').value.trim();
    if (key) {
      sessionStorage.setItem(KEY_STORAGE, key);
    } else {
      sessionStorage.removeItem(KEY_STORAGE);
    }
    document.getElementById('key').value = '';
    load();
  });
  // A plain link cannot carry the admin key: with a key, the file is fetched with it and handed to the browser to save.
  const costs = document.getElementById('costs-csv');
  if (costs) {
    costs.addEventListener('click', async (event) => {
      const key = sessionStorage.getItem(KEY_STORAGE);
      if (!key) {
        return;
      }
      event.preventDefault();
      try {
        const response = await fetch(costs.href, { headers: { Authorization: `Bearer ${key}` }, cache: 'no-store' });
        if (!response.ok) {
          const body = await response.json().catch(() => null);
          throw new Error(body?.error?.message || `HTTP ${response.status}`);
        }
        const name = /filename="([^"]+)"/.exec(response.headers.get('Content-Disposition') || '')?.[1] || 'aigw-costs.csv';
        const url = URL.createObjectURL(await response.blob());
        const save = Object.assign(document.createElement('a'), { href: url, download: name });
        document.body.appendChild(save);
        save.click();
        save.remove();
        setTimeout(() => URL.revokeObjectURL(url), 60e3);
      } catch (error) {
        status.textContent = `Costs CSV: ${error.message}`;
        status.className = 'status error';
      }
    });
  }
  document.getElementById('key-button').addEventListener('click', () => {
    keyPanel.hidden = !keyPanel.hidden;
  });
  let resize = null;
  window.addEventListener('resize', () => {
    clearTimeout(resize);
    resize = setTimeout(load, 250);
  });
  schedule();
  load();
})();
