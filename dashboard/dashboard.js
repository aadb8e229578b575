// The dashboard (CONTRACT.md §7): reads only the admin API, on the origin that served the page. Every figure shown is
// a field of an admin answer as it came; each one's raw value also sits in a `data-value` attribute, so a test can
// compare the page with the API without parsing formatted text.
(() => {
  const TOKEN_KEY = 'gateway-admin-token';
  const PROJECT_KEY = 'gateway-dashboard-project';
  const PAGE_SIZE = 20;
  const COLORS = ['#3559e0', '#e07a35', '#2f9e6e', '#b54ac9', '#d4a017', '#1fa3b8', '#c0362c', '#6b7a99'];
  const NONE = '(no model)';

  const $ = (id) => document.getElementById(id);
  // `sigv4` behind `npm run dashboard`, whose proxy signs each call with the caller's AWS credentials: no token.
  const SIGNED = document.querySelector('meta[name="admin-auth"]')?.content === 'sigv4';
  const state = { projects: [], cursors: [undefined], load: 0 };

  class ApiError extends Error {
    constructor(status, message) {
      super(message);
      this.status = status;
    }
  }

  async function api(path, query = {}) {
    const params = new URLSearchParams();
    for (const [name, value] of Object.entries(query)) if (value !== undefined) params.set(name, value);
    const url = params.size > 0 ? `${path}?${params}` : path;
    const token = sessionStorage.getItem(TOKEN_KEY);
    const response = await fetch(url, { headers: token ? { authorization: `Bearer ${token}` } : {} });
    const text = await response.text();
    let body;
    try {
      body = JSON.parse(text);
    } catch {
      throw new ApiError(response.status, `${path}: ${response.status} ${text.slice(0, 200)}`);
    }
    if (!response.ok) throw new ApiError(response.status, body?.error?.message ?? `${path}: ${response.status}`);
    return body;
  }

  // --- formatting -------------------------------------------------------------------------------------------------

  const integer = new Intl.NumberFormat('en-US');
  const compact = new Intl.NumberFormat('en-US', { notation: 'compact', maximumFractionDigits: 2 });
  const usd = (value) => {
    if (value === null || value === undefined) return '—';
    const digits = value !== 0 && Math.abs(value) < 1 ? 6 : 2;
    return `$${value.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: digits })}`;
  };
  const ms = (value) => (value === null || value === undefined ? '—' : `${integer.format(value)} ms`);
  const percent = (value) => (value === null ? '—' : `${(value * 100).toFixed(value < 0.1 ? 2 : 1)} %`);

  /**
   * An element with attributes and children (strings become text: nothing here is parsed as HTML). `style` is an
   * object set through the CSSOM, which the page's Content-Security-Policy allows where style attributes are not.
   */
  function el(tag, attrs = {}, ...children) {
    const node = document.createElement(tag);
    for (const [name, value] of Object.entries(attrs)) {
      if (name === 'style') Object.assign(node.style, value);
      else if (value !== undefined && value !== null) node.setAttribute(name, String(value));
    }
    for (const child of children) node.append(child instanceof Node ? child : String(child));
    return node;
  }

  function svg(tag, attrs = {}, ...children) {
    const node = document.createElementNS('http://www.w3.org/2000/svg', tag);
    for (const [name, value] of Object.entries(attrs)) node.setAttribute(name, String(value));
    for (const child of children) node.append(child instanceof Node ? child : String(child));
    return node;
  }

  const cell = (text, value, className) => el('td', { 'data-value': value, class: className }, text);

  function fill(tbody, rows, columns) {
    tbody.replaceChildren(
      ...(rows.length > 0 ? rows : [el('tr', {}, el('td', { colspan: columns, class: 'empty' }, 'Nothing yet'))]),
    );
  }

  function showError(error) {
    $('error').textContent = error instanceof Error ? error.message : String(error);
    $('error').hidden = false;
  }

  // --- period -----------------------------------------------------------------------------------------------------

  const day = (time) => new Date(time).toISOString().slice(0, 10);

  /** The period as the admin API reads it: UTC days, both included. */
  function period() {
    const now = Date.now();
    const choice = $('period').value;
    if (choice === 'month') return { from: `${day(now).slice(0, 8)}01`, to: day(now) };
    return { from: day(now - (Number(choice) - 1) * 86_400_000), to: day(now) };
  }

  function daysOf({ from, to }) {
    const days = [];
    for (let t = Date.parse(`${from}T00:00:00Z`); t <= Date.parse(`${to}T00:00:00Z`); t += 86_400_000) {
      days.push(day(t));
    }
    return days;
  }

  // --- sections ---------------------------------------------------------------------------------------------------

  function renderTotals(total) {
    const set = (id, text, value) => {
      $(id).textContent = text;
      $(id).dataset.value = value;
    };
    set('total-spend', usd(total.cost_usd), total.cost_usd);
    set('total-requests', integer.format(total.requests), total.requests);
    $('total-tokens').textContent = `${compact.format(total.input_tokens)} / ${compact.format(total.output_tokens)}`;
    $('total-tokens').title = `${integer.format(total.input_tokens)} in, ${integer.format(total.output_tokens)} out`;
    $('total-tokens').dataset.input = total.input_tokens;
    $('total-tokens').dataset.output = total.output_tokens;
    const rate = total.requests > 0 ? total.error_requests / total.requests : null;
    set('total-error-rate', percent(rate), rate ?? '');
    $('total-error-rate').dataset.errors = total.error_requests;
  }

  /** Models in the order of their spend in the period, so colours stay put while a period is looked at. */
  function modelOrder(byModel) {
    return [...byModel].sort((a, b) => b.cost_usd - a.cost_usd || b.requests - a.requests).map((g) => g.group);
  }

  /** The smallest of 1, 2, 2.5 and 5 times a power of ten at or above `value`: round numbers on the axis. */
  function niceCeiling(value) {
    if (!(value > 0)) return 1;
    const power = 10 ** Math.floor(Math.log10(value));
    return [1, 2, 2.5, 5, 10].map((step) => step * power).find((nice) => nice >= value * (1 - 1e-12));
  }

  function renderChart(daily, range, order) {
    const days = daysOf(range);
    const color = new Map(order.map((model, i) => [model, COLORS[i % COLORS.length]]));
    const byDay = new Map(days.map((d) => [d, []]));
    for (const entry of daily.data) byDay.get(entry.day)?.push(entry);
    const heights = days.map((d) => byDay.get(d).reduce((sum, entry) => sum + entry.cost_usd, 0));
    const top = niceCeiling(Math.max(...heights, 0));
    // Drawn at the container's own width, so bars and labels keep their size whatever the window.
    const [width, height, left, bottom] = [Math.max(480, $('chart').clientWidth || 960), 240, 64, 24];
    const plot = height - bottom - 8;
    const slot = (width - left) / days.length;
    const bar = Math.max(1, Math.min(28, slot * 0.7));
    const chart = svg('svg', { viewBox: `0 0 ${width} ${height}`, role: 'img', 'aria-label': 'Spend per day' });
    for (const fraction of [0, 0.5, 1]) {
      const y = 8 + plot * (1 - fraction);
      chart.append(svg('line', { x1: left, x2: width, y1: y, y2: y }));
      chart.append(svg('text', { x: left - 6, y: y + 4, 'text-anchor': 'end' }, usd(top * fraction)));
    }
    days.forEach((d, i) => {
      const x = left + i * slot + (slot - bar) / 2;
      let y = 8 + plot;
      const entries = [...byDay.get(d)].sort((a, b) => order.indexOf(a.group) - order.indexOf(b.group));
      for (const entry of entries) {
        const h = (entry.cost_usd / top) * plot;
        y -= h;
        const rect = svg('rect', {
          x,
          y,
          width: bar,
          height: Math.max(h, entry.cost_usd > 0 ? 1 : 0),
          fill: color.get(entry.group) ?? COLORS.at(-1),
          'data-day': d,
          'data-model': entry.group ?? '',
          'data-value': entry.cost_usd,
        });
        rect.append(svg('title', {}, `${d} · ${entry.group ?? NONE}: ${usd(entry.cost_usd)}`));
        chart.append(rect);
      }
      const every = Math.ceil(days.length / 10);
      if (i % every === 0) {
        chart.append(svg('text', { x: x + bar / 2, y: height - 6, 'text-anchor': 'middle' }, d.slice(5)));
      }
    });
    $('chart').replaceChildren(chart);
    $('legend').replaceChildren(
      ...order.map((model) =>
        el('li', {}, el('span', { class: 'swatch', style: { background: color.get(model) } }), model ?? NONE),
      ),
    );
  }

  function renderModels(byModel, latency, order) {
    const timings = new Map(latency.data.map((g) => [g.group, g]));
    const rows = order.map((model) => {
      const g = byModel.find((entry) => entry.group === model);
      const t = timings.get(model);
      return el(
        'tr',
        { 'data-model': model ?? '' },
        el('td', {}, model ?? NONE),
        cell(integer.format(g.requests), g.requests),
        cell(`${integer.format(g.input_tokens)} / ${integer.format(g.output_tokens)}`),
        cell(usd(g.cost_usd), g.cost_usd),
        cell(integer.format(g.error_requests), g.error_requests, g.error_requests > 0 ? 'bad' : undefined),
        cell(ms(t?.latency_ms.p50), t?.latency_ms.p50 ?? ''),
        cell(ms(t?.latency_ms.p95), t?.latency_ms.p95 ?? ''),
        cell(ms(t?.ttft_ms.p50), t?.ttft_ms.p50 ?? ''),
        cell(ms(t?.ttft_ms.p95), t?.ttft_ms.p95 ?? ''),
      );
    });
    fill($('models').tBodies[0], rows, 9);
  }

  function renderKeys(byKey, keys) {
    const spend = new Map(byKey.map((g) => [g.group, g]));
    const known = new Set(keys.map((key) => key.id));
    const listed = [
      ...keys,
      // A key that spent in the period but is no longer listed (revoked) still shows, by id.
      ...byKey
        .filter((g) => !known.has(g.group))
        .map((g) => ({ id: g.group, month_spend_usd: null, budget_usd: null })),
    ];
    listed.sort((a, b) => (spend.get(b.id)?.cost_usd ?? 0) - (spend.get(a.id)?.cost_usd ?? 0));
    const rows = listed.map((key) => {
      const g = spend.get(key.id);
      const name = key.name ? `${key.name} ` : '';
      const month = key.month_spend_usd;
      const budget = key.budget_usd;
      const share = budget ? Math.min(1, (month ?? 0) / budget) : 0;
      const gauge = budget
        ? el(
            'span',
            { class: 'budget', title: `${(((month ?? 0) / budget) * 100).toFixed(1)} % of the budget` },
            el('span', { style: { width: `${(share * 100).toFixed(1)}%` }, class: share >= 1 ? 'over' : undefined }),
          )
        : '';
      return el(
        'tr',
        { 'data-key': key.id },
        el('td', {}, name, el('code', {}, key.prefix ? `${key.prefix}…` : key.id)),
        cell(integer.format(g?.requests ?? 0), g?.requests ?? 0),
        cell(usd(g?.cost_usd ?? 0), g?.cost_usd ?? 0),
        el(
          'td',
          { 'data-month': month ?? '', 'data-budget': budget ?? '' },
          gauge,
          `${usd(month)} / ${budget ? usd(budget) : 'no budget'}`,
        ),
      );
    });
    fill($('keys').tBodies[0], rows, 4);
  }

  function renderRequests(page) {
    const rows = page.data.map((row) =>
      el(
        'tr',
        { 'data-id': row.id },
        el('td', { title: row.id }, row.at.replace('T', ' ').slice(0, 19)),
        cell(row.status, row.status, row.status >= 400 ? 'bad' : undefined),
        cell(row.model ?? '—', row.model ?? '', 'text'),
        cell(row.provider ?? '—', row.provider ?? '', 'text'),
        cell(`${integer.format(row.input_tokens)} / ${integer.format(row.output_tokens)}`),
        cell(usd(row.cost_usd), row.cost_usd ?? ''),
        cell(row.usage_estimated ? 'estimated' : '', row.usage_estimated),
        cell(ms(row.latency_ms), row.latency_ms),
        cell(ms(row.ttft_ms), row.ttft_ms ?? ''),
      ),
    );
    fill($('requests').tBodies[0], rows, 9);
    $('newer').disabled = state.cursors.length <= 1;
    $('older').disabled = page.next_cursor === null;
    $('page').textContent = `page ${state.cursors.length}`;
    state.next = page.next_cursor;
  }

  // --- loading ----------------------------------------------------------------------------------------------------

  async function loadRequests(project) {
    const page = await api(`/admin/projects/${encodeURIComponent(project)}/requests`, {
      ...period(),
      limit: PAGE_SIZE,
      cursor: state.cursors.at(-1),
    });
    renderRequests(page);
  }

  /** Loads every section for the chosen project and period; an older load still running is ignored when it ends. */
  async function load() {
    const project = $('project').value;
    if (!project) return;
    const run = ++state.load;
    document.body.dataset.state = 'loading';
    $('error').hidden = true;
    const range = period();
    $('range').textContent = `${range.from} – ${range.to} (UTC)`;
    const base = `/admin/projects/${encodeURIComponent(project)}`;
    try {
      const [byModel, byKey, daily, latency, keys] = await Promise.all([
        api(`${base}/usage`, { ...range, group_by: 'model' }),
        api(`${base}/usage`, { ...range, group_by: 'key' }),
        api(`${base}/usage/daily`, { ...range, split_by: 'model' }),
        api(`${base}/latency`, range),
        api(`${base}/keys`),
      ]);
      state.cursors = [undefined];
      const page = await api(`${base}/requests`, { ...range, limit: PAGE_SIZE });
      if (run !== state.load) return;
      const order = modelOrder(byModel.data);
      renderTotals(byModel.total);
      renderChart(daily, range, order);
      renderModels(byModel.data, latency, order);
      renderKeys(byKey.data, keys.data);
      renderRequests(page);
      Object.assign(document.body.dataset, { state: 'ready', project, from: range.from, to: range.to });
    } catch (error) {
      if (run !== state.load) return;
      document.body.dataset.state = 'failed';
      if (error instanceof ApiError && error.status === 401) return showLogin('The admin token was refused.');
      showError(error);
    }
  }

  async function page(step) {
    const project = $('project').value;
    if (step > 0 && state.next) state.cursors.push(state.next);
    if (step < 0 && state.cursors.length > 1) state.cursors.pop();
    document.body.dataset.state = 'loading';
    try {
      await loadRequests(project);
      document.body.dataset.state = 'ready';
    } catch (error) {
      document.body.dataset.state = 'failed';
      showError(error);
    }
  }

  function showLogin(message) {
    sessionStorage.removeItem(TOKEN_KEY);
    $('dashboard').hidden = true;
    $('pickers').hidden = true;
    $('login').hidden = false;
    document.body.dataset.state = 'login';
    if (message) showError(message);
    $('token').focus();
  }

  /** Lists the projects, once there is a token to send (or a proxy that signs for the page). */
  async function open() {
    if (!SIGNED && !sessionStorage.getItem(TOKEN_KEY)) return showLogin('');
    let projects;
    try {
      projects = await api('/admin/projects');
    } catch (error) {
      if (error instanceof ApiError && error.status === 401) {
        return showLogin(sessionStorage.getItem(TOKEN_KEY) ? 'The admin token was refused.' : '');
      }
      document.body.dataset.state = 'failed';
      return showError(error);
    }
    $('error').hidden = true;
    $('login').hidden = true;
    $('pickers').hidden = false;
    $('dashboard').hidden = false;
    $('logout').hidden = SIGNED;
    state.projects = projects.data;
    const remembered = sessionStorage.getItem(PROJECT_KEY);
    $('project').replaceChildren(
      ...projects.data.map((p) =>
        el('option', { value: p.id, selected: p.id === remembered ? '' : undefined }, p.name),
      ),
    );
    if (projects.data.length === 0) {
      document.body.dataset.state = 'ready';
      return showError('No project yet: make one with POST /admin/projects.');
    }
    await load();
  }

  $('login').addEventListener('submit', (event) => {
    event.preventDefault();
    sessionStorage.setItem(TOKEN_KEY, $('token').value.trim());
    $('token').value = '';
    void open();
  });
  $('logout').addEventListener('click', () => showLogin(''));
  $('project').addEventListener('change', () => {
    sessionStorage.setItem(PROJECT_KEY, $('project').value);
    void load();
  });
  $('period').addEventListener('change', () => void load());
  $('refresh').addEventListener('click', () => void load());
  $('newer').addEventListener('click', () => void page(-1));
  $('older').addEventListener('click', () => void page(1));
  void open();
})();
