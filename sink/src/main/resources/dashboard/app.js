/*
 * PatchPulse dashboard: reads the sink's /api/* endpoints and draws them with the bundled Apache ECharts.
 * Each panel's data-state goes loading -> rendered (or error) once its data is drawn; the browser test waits on it.
 * Text from the store is always set with textContent (or HTML-escaped for chart tooltips), never as markup.
 * Query string: ?kb=KB5034441&from=...&to=... preselects; refresh=<seconds> (default 30, 0 = off).
 */
(function () {
  'use strict';

  // Opened from a link carrying #token=... while a session is already open: the token leaves the address bar.
  if (/(?:^#|&)token=/.test(window.location.hash)) {
    window.history.replaceState(null, '', window.location.pathname + window.location.search);
  }
  const params = new URLSearchParams(window.location.search);
  const refreshSeconds = params.has('refresh') ? Number(params.get('refresh')) : 30;
  const charts = {};
  const state = { kb: params.get('kb') || '', from: params.get('from') || '', to: params.get('to') || '' };
  // Exposed for tests and for poking at the page from the console.
  window.patchpulse = { charts: charts, state: state };

  const escapeHtml = (text) => String(text == null ? '' : text)
    .replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;').replace(/'/g, '&#39;');

  /** Failure rate as the page shows it everywhere: percent with one decimal. */
  const percent = (rate) => rate == null ? '-' : (rate * 100).toFixed(1) + '%';
  const count = (n) => n == null ? '-' : Number(n).toLocaleString('en-US');

  async function getJson(path) {
    const response = await fetch(path, { headers: { Accept: 'application/json' } });
    const text = await response.text();
    let body;
    try {
      body = text ? JSON.parse(text) : {};
    } catch (e) {
      throw new Error('HTTP ' + response.status + ': not JSON');
    }
    if (!response.ok) {
      const error = new Error(body.detail || body.title || ('HTTP ' + response.status));
      error.status = response.status;
      throw error;
    }
    return body;
  }

  function query(extra) {
    const q = new URLSearchParams(extra);
    if (state.from) q.set('from', state.from);
    if (state.to) q.set('to', state.to);
    return q.toString();
  }

  function panel(id) {
    const element = document.getElementById(id);
    return {
      element: element,
      loading() { element.dataset.state = 'loading'; },
      rendered() {
        element.querySelector('.error').hidden = true;
        element.dataset.state = 'rendered';
      },
      failed(error) {
        const p = element.querySelector('.error');
        p.textContent = error.message;
        p.hidden = false;
        element.dataset.state = 'error';
      },
    };
  }

  function chart(id) {
    if (!charts[id]) {
      charts[id] = echarts.init(document.getElementById(id + '-chart'), null, { renderer: 'canvas' });
      window.addEventListener('resize', () => charts[id].resize());
    }
    return charts[id];
  }

  /** Draws the option, then marks the panel rendered once ECharts has painted it. */
  function draw(id, option, done) {
    const instance = chart(id);
    instance.off('finished');
    instance.on('finished', () => {
      instance.off('finished');
      done();
    });
    instance.setOption(option, true);
  }

  function cell(row, text, numeric) {
    const td = document.createElement('td');
    td.textContent = text;
    if (numeric) td.className = 'num';
    row.appendChild(td);
    return td;
  }

  function fillTable(tbody, rows, columns) {
    tbody.replaceChildren();
    for (const item of rows) {
      const tr = document.createElement('tr');
      for (const [value, numeric] of columns(item)) cell(tr, value, numeric);
      tbody.appendChild(tr);
    }
  }

  async function loadKbs() {
    const body = await getJson('api/kbs');
    const select = document.getElementById('kb-select');
    select.replaceChildren();
    for (const kb of body.kbs) {
      const option = document.createElement('option');
      option.value = kb.kb;
      option.textContent = kb.kb + (kb.devicesAttempted ? ' (' + count(kb.devicesFailed) + ' failed)' : '');
      select.appendChild(option);
    }
    if (!state.kb && body.kbs.length) state.kb = body.kbs[0].kb;
    if (state.kb && ![...select.options].some((o) => o.value === state.kb)) {
      const option = document.createElement('option');
      option.value = state.kb;
      option.textContent = state.kb + ' (no data)';
      select.appendChild(option);
    }
    select.value = state.kb;
  }

  async function loadHeatmap() {
    const p = panel('heatmap');
    p.loading();
    try {
      if (!state.kb) throw new Error('no KB has data yet');
      const body = await getJson('api/heatmap?' + query({ kb: state.kb }));
      const data = body.cells.map((c) => ({
        value: [body.sizeBuckets.indexOf(c.sizeBucket), body.bitlocker.indexOf(c.bitlocker),
          c.failureRate == null ? '-' : +(c.failureRate * 100).toFixed(1)],
        cell: c,
      }));
      fillTable(p.element.querySelector('#heatmap-table tbody'), body.cells, (c) => [
        [c.sizeBucket], [c.bitlocker], [count(c.devicesFailed), true], [count(c.devicesAttempted), true],
        [percent(c.failureRate), true]]);
      p.element.querySelectorAll('.kb-name').forEach((e) => { e.textContent = body.kb; });
      draw('heatmap', {
        animation: false,
        tooltip: {
          className: 'pp-tooltip heatmap-tooltip',
          formatter: (item) => {
            const c = item.data.cell;
            return escapeHtml('size ' + c.sizeBucket + ' \u00b7 BitLocker ' + c.bitlocker) + '<br>'
              + escapeHtml(count(c.devicesFailed) + ' of ' + count(c.devicesAttempted) + ' devices failed ('
                + percent(c.failureRate) + ')');
          },
        },
        grid: { left: 90, right: 20, top: 10, bottom: 100 },
        xAxis: { type: 'category', data: body.sizeBuckets, name: 'recovery partition size', nameLocation: 'middle',
          nameGap: 26, splitArea: { show: true } },
        yAxis: { type: 'category', data: body.bitlocker, splitArea: { show: true } },
        visualMap: { min: 0, max: 100, calculable: true, orient: 'horizontal', left: 'center', bottom: 0,
          text: ['100%', '0%'], inRange: { color: ['#f2f7ee', '#f4c26b', '#d9542b', '#8c1c13'] } },
        series: [{
          name: 'failure rate', type: 'heatmap', data: data,
          label: { show: true, formatter: (item) => item.data.value[2] === '-' ? '-' : item.data.value[2] + '%' },
          emphasis: { itemStyle: { borderColor: '#1d2330', borderWidth: 1 } },
        }],
      }, () => {
        p.element.dataset.kb = body.kb;
        p.element.dataset.cells = String(body.cells.length);
        p.rendered();
      });
    } catch (error) {
      p.failed(error);
    }
  }

  async function loadTimeline() {
    const p = panel('timeline');
    p.loading();
    try {
      if (!state.kb) throw new Error('no KB has data yet');
      const body = await getJson('api/timeline?' + query({ kb: state.kb }));
      const times = body.windows.map((w) => Date.parse(w.windowStart));
      const day = 86400000;
      const first = times.length ? Math.min(...times) : Date.now();
      const last = times.length ? Math.max(...times) : Date.now();
      // Marks near the data, and always the selected KB's own release.
      const marks = body.releases.filter((r) => {
        const at = Date.parse(r.releasedOn + 'T00:00:00Z');
        return r.kb === body.kb || (at >= first - 3 * day && at <= last + 3 * day);
      });
      const markTimes = marks.map((r) => Date.parse(r.releasedOn + 'T00:00:00Z'));
      const list = document.getElementById('timeline-releases');
      list.replaceChildren();
      for (const r of marks) {
        const li = document.createElement('li');
        li.textContent = r.releasedOn + ' ' + r.kb + (r.title && r.title !== r.kb ? ': ' + r.title : '');
        li.dataset.kb = r.kb;
        list.appendChild(li);
      }
      p.element.querySelectorAll('.kb-name').forEach((e) => { e.textContent = body.kb; });
      draw('timeline', {
        animation: false,
        useUTC: true,
        legend: { top: 0 },
        tooltip: { trigger: 'axis', className: 'pp-tooltip timeline-tooltip' },
        grid: { left: 60, right: 60, top: 30, bottom: 40 },
        xAxis: { type: 'time', min: Math.min(first, ...markTimes), max: Math.max(last + 3600000, ...markTimes) },
        yAxis: [{ type: 'value', name: 'devices failed', minInterval: 1 },
          { type: 'value', name: 'failure rate', min: 0, max: 100, axisLabel: { formatter: '{value}%' } }],
        series: [{
          name: 'devices failed', type: 'bar', barMaxWidth: 12, itemStyle: { color: '#d9542b' },
          data: body.windows.map((w) => [w.windowStart, w.devicesFailed]),
          markLine: {
            symbol: 'none', silent: false,
            lineStyle: { type: 'dashed', color: '#3b5bdb' },
            label: { formatter: (item) => item.name, position: 'insideEndTop' },
            data: marks.map((r) => ({ name: r.kb, xAxis: r.releasedOn + 'T00:00:00Z' })),
          },
        }, {
          name: 'failure rate', type: 'line', yAxisIndex: 1, showSymbol: false, itemStyle: { color: '#8c1c13' },
          data: body.windows.map((w) => [w.windowStart, w.failureRate == null ? null : +(w.failureRate * 100)
            .toFixed(1)]),
        }],
      }, () => {
        p.element.dataset.kb = body.kb;
        p.element.dataset.windows = String(body.windows.length);
        p.element.dataset.releases = marks.map((r) => r.kb).join(' ');
        p.rendered();
      });
    } catch (error) {
      p.failed(error);
    }
  }

  async function loadAlerts() {
    const p = panel('alerts');
    p.loading();
    try {
      const body = await getJson('api/alerts');
      const list = document.getElementById('alerts-list');
      list.replaceChildren();
      if (!body.alerts.length) {
        const li = document.createElement('li');
        li.className = 'none';
        li.textContent = 'No alert is firing.';
        list.appendChild(li);
      }
      for (const a of body.alerts) {
        const li = document.createElement('li');
        li.dataset.alertId = a.alertId;
        const title = document.createElement('div');
        title.className = 'alert-title';
        title.textContent = a.kb + ' ' + (a.errorCode || '') + ' on ' + a.sizeBucket + ' / ' + a.freeBucket + ' / '
          + a.bitlocker;
        const summary = document.createElement('div');
        summary.className = 'alert-summary';
        summary.textContent = a.summary || '';
        const numbers = document.createElement('div');
        numbers.className = 'alert-numbers';
        numbers.textContent = count(a.currentDevicesFailed) + ' of ' + count(a.currentDevicesAttempted)
          + ' devices failed (' + percent(a.currentFailureRate) + ') vs baseline ' + percent(a.baselineFailureRate)
          + '; firing since ' + a.startsAt;
        li.append(title, summary, numbers);
        if (a.runbookUrl && /^https?:\/\//i.test(a.runbookUrl)) {
          const link = document.createElement('a');
          link.href = a.runbookUrl;
          link.rel = 'noopener noreferrer';
          link.textContent = 'runbook';
          li.appendChild(link);
        }
        list.appendChild(li);
      }
      p.element.dataset.alerts = String(body.alerts.length);
      p.rendered();
    } catch (error) {
      p.failed(error);
    }
  }

  async function loadProgress() {
    const p = panel('progress');
    p.loading();
    try {
      const body = await getJson('api/progress');
      fillTable(p.element.querySelector('#progress-table tbody'), body.releases, (r) => [
        [r.kb], [r.day], [count(r.devicesTracked), true], [count(r.devicesAttempted), true],
        [count(r.devicesFailing), true], [count(r.devicesFixed), true], [count(r.devicesFalseFailure), true],
        [count(r.devicesAtFixedWinre) + ' (' + percent(r.shareAtFixedWinre) + ')', true],
        [count(r.exposedDevices), true]]);
      fillTable(p.element.querySelector('#exposed-table tbody'), body.exposed, (e) => [
        [e.kb], [e.sizeBucket], [e.freeBucket], [e.bitlocker], [count(e.devices), true]]);
      p.rendered();
    } catch (error) {
      p.failed(error);
    }
  }

  async function lookupDevice(deviceId) {
    const p = panel('device');
    p.loading();
    const result = document.getElementById('device-result');
    result.replaceChildren();
    try {
      const body = await getJson('api/devices/' + encodeURIComponent(deviceId));
      for (const status of body.statuses) {
        result.appendChild(keyValueTable('Status for ' + status.kb, status));
      }
      for (const fix of body.remediations) {
        result.appendChild(keyValueTable('Remediation of ' + fix.kb, fix));
      }
      p.rendered();
    } catch (error) {
      p.failed(error);
    }
  }

  function keyValueTable(heading, row) {
    const wrapper = document.createElement('div');
    wrapper.className = 'device-kb';
    const h = document.createElement('h3');
    h.textContent = heading;
    const table = document.createElement('table');
    for (const [key, value] of Object.entries(row)) {
      if (value == null) continue;
      const tr = document.createElement('tr');
      cell(tr, key);
      cell(tr, String(value));
      table.appendChild(tr);
    }
    wrapper.append(h, table);
    return wrapper;
  }

  async function refresh() {
    const status = document.getElementById('status');
    try {
      await loadKbs();
    } catch (error) {
      status.textContent = 'KB list: ' + error.message;
    }
    await Promise.all([loadHeatmap(), loadTimeline(), loadAlerts(), loadProgress()]);
    status.textContent = 'updated ' + new Date().toISOString().replace(/\.\d+Z$/, 'Z');
  }

  document.addEventListener('DOMContentLoaded', () => {
    document.getElementById('from').value = state.from;
    document.getElementById('to').value = state.to;
    document.getElementById('filters').addEventListener('submit', (event) => {
      event.preventDefault();
      state.kb = document.getElementById('kb-select').value;
      state.from = document.getElementById('from').value.trim();
      state.to = document.getElementById('to').value.trim();
      refresh();
    });
    document.getElementById('kb-select').addEventListener('change', (event) => {
      state.kb = event.target.value;
      loadHeatmap();
      loadTimeline();
    });
    document.getElementById('device-form').addEventListener('submit', (event) => {
      event.preventDefault();
      const id = document.getElementById('device-id').value.trim();
      if (id) lookupDevice(id);
    });
    refresh();
    if (refreshSeconds > 0) window.setInterval(refresh, refreshSeconds * 1000);
  });
}());
