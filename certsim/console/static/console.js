// The console page: polls /api/state and sends the buttons' actions (CSRF header).
const csrf = document.querySelector('meta[name=csrf-token]').content;
const $ = (id) => document.getElementById(id);
const KINDS = {issued: '签发', reviewed: '复审', reissued: '换发新版', renewed: '延期换证', revoked: '撤销', cancelled: '注销'};
const OUTCOMES = {idle: '无到期变更', delivered: '已送达', lease_held: '另一同步进程持有租约', backoff: '失败后等待重试', failed: '失败'};
const age = (seconds) => seconds == null ? '无' : (seconds < 172800 ? Math.round(seconds / 3600) + ' 小时' : Math.round(seconds / 86400) + ' 天');
const STATES = {pending: '待同步', delivered: '已送达', blocked: '已阻塞'};
const esc = (v) => String(v ?? '').replace(/[&<>"']/g, ch => ({'&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;'}[ch]));
const lagText = (lag) => { const m = /^(\d+)wd$/.exec(lag || '');
  return m ? (m[1] === '0' ? '当天可见' : m[1] + ' 个工作日') : ({'0': '无延迟', manual: '手动放行'}[lag] || lag); };
const local = (iso) => iso ? new Date(iso).toLocaleString('zh-CN', {timeZone: 'Asia/Shanghai', hour12: false}) : '手动放行';
async function post(path, body) {
  const r = await fetch(path, {method: 'POST', headers: {'Content-Type': 'application/json', 'X-CSRFToken': csrf}, body: JSON.stringify(body || {})});
  const data = await r.json();
  actionError = r.ok ? '' : (data.message || '操作失败');  // shown until the next action
  await refresh();
  return r.ok;
}
let actionError = '';
function text(id, value) { $(id).textContent = value ?? '—'; }
async function refresh() {
  try {
    const phone = $('phone').value.trim();
    const r = await fetch('/api/state' + (phone.length === 11 ? '?phone=' + phone : ''));
    const s = await r.json();
    if (!r.ok) { $('error').textContent = s.message; return; }
    $('error').textContent = actionError;
    text('now', local(s.clock.now));
    text('clock-mode', s.clock.frozen ? '已暂停' : '走时中');
    const rep = s.replication;
    text('weekday', s.day.date + ' ' + s.day.weekday); text('day-label', s.day.label + (s.day.holiday ? ' · ' + s.day.holiday : ''));
    $('day-label').className = 'day-label' + (s.day.working ? '' : ' off');
    text('lag', lagText(rep.lag)); $('lag').title = rep.lag; text('pending', rep.pending); text('due', rep.due_not_applied);
    text('delivered', rep.delivered); text('blocked', rep.blocked);
    text('oldest', age(rep.oldest_pending_age_seconds));
    const run = rep.last_run || {};
    text('last-run', rep.last_run_at ? local(rep.last_run_at) + '（' + (OUTCOMES[run.outcome] || run.outcome || '—') + (run.error ? '：' + run.error : '') + '）' : '尚未运行');
    $('last-run').className = run.outcome === 'failed' ? 'state-down' : '';
    text('next-due', rep.next_due_at ? local(rep.next_due_at) : '无');
    // explanations the user opened stay open across refreshes
    const opened = new Set([...$('queue').querySelectorAll('details[open]')].map(d => d.dataset.seq));
    const rows = s.queue.map(c => { const l = (c.payload || {}).licence || {};
      return `<tr class="${c.state}"><td>${c.seq}</td><td>${KINDS[c.kind] || c.kind}</td><td>${esc(l.holder_name)} · ${esc(l.item || c.certificate_key)}</td><td>${local(c.created_at)}</td><td>${local(c.visible_at)}${c.explanation ? `<details data-seq="${c.seq}"${opened.has(String(c.seq)) ? ' open' : ''}><summary>为何此时可见</summary><pre>${esc(c.explanation.join('\n'))}</pre></details>` : ''}</td><td class="nowrap">${STATES[c.state] || c.state}${c.delivered_at ? ' ' + local(c.delivered_at) : ''}${c.last_error ? '：' + esc(c.last_error) : ''}</td></tr>`; });
    $('queue').innerHTML = rows.join('') || '<tr><td colspan="6" class="muted">同步队列为空</td></tr>';
    const mode = s.faults.mode;
    $('fault-mode').textContent = mode === 'up' ? '正常' : (mode === 'down' ? '停机' : mode === 'error' ? '返回错误' : mode);
    $('fault-mode').className = mode === 'up' ? 'state-up' : 'state-down';
    const sms = [];
    for (const [portal, label] of [['mem', '应急管理部'], ['national', '国家平台']]) {
      for (const m of ((s.sms || {})[portal]?.messages || [])) sms.push(`<tr><td>${label}</td><td>${local(m.sent_at)}</td><td>${esc(m.text)}</td></tr>`);
    }
    $('sms').innerHTML = sms.join('') || '<tr><td colspan="3" class="muted">输入手机号码查看短信</td></tr>';
    const captchas = (s.captchas.mem || []).map(c => `<tr><td>应急管理部</td><td class="answer">${esc(c.answer)}</td><td>${local(c.created_at)}</td><td>${local(c.expires_at)}</td></tr>`);
    if (!captchas.length) captchas.push('<tr><td>应急管理部</td><td colspan="3" class="muted">暂无（打开注册页即生成）</td></tr>');
    captchas.push('<tr><td>国家平台</td><td colspan="3" class="muted">' + ((s.captchas.national || []).length ? (s.captchas.national || []).map(c => esc(c.answer)).join('、') : '个人注册无图片验证码') + '</td></tr>');
    $('captchas').innerHTML = captchas.join('');
    const rec = s.recording || {};
    text('recording-state', rec.recording ? `录制中：${rec.name}（自 ${local(rec.started_at)} 起，${rec.snapshot ? '从快照 ' + rec.snapshot + ' 开始' : '从空世界开始'}，已记录 ${rec.events} 个事件）` : '未在录制');
    $('record-start').disabled = !!rec.recording; $('record-stop').disabled = !rec.recording;
  } catch (e) { $('error').textContent = '控制台无法连接门户：' + e; }
}
document.querySelectorAll('[data-clock]').forEach(b => b.onclick = () => post('/api/clock', {action: b.dataset.clock}));
document.querySelectorAll('[data-outage]').forEach(b => b.onclick = () => post('/api/outage', {mode: b.dataset.outage}));
$('replicate').onclick = () => post('/api/replicate');
$('record-form').onsubmit = async (e) => { e.preventDefault();
  if (await post('/api/recording', {action: 'start', name: $('recording-name').value.trim()})) { $('recording-result').innerHTML = ''; snapshots(); } };
$('record-stop').onclick = async () => {
  const r = await fetch('/api/recording', {method: 'POST', headers: {'Content-Type': 'application/json', 'X-CSRFToken': csrf}, body: JSON.stringify({action: 'stop'})});
  const data = await r.json();
  actionError = r.ok ? '' : (data.message || '操作失败');
  if (r.ok) {
    const gaps = data.unexpressed.length ? `<p class="state-down">以下请求无法写入场景（未录入）：</p><ul>${data.unexpressed.map(l => `<li>${esc(l)}</li>`).join('')}</ul>` : '<p class="state-up">全部操作均已写入场景。</p>';
    $('recording-result').innerHTML = `<p>已生成场景文件 <b>${esc(data.file)}</b>（${data.steps} 个步骤），回放：<code>certsim replay ${esc(data.file)}</code></p>${gaps}<details><summary>场景内容</summary><pre>${esc(data.yaml)}</pre></details>`;
  }
  await refresh();
};
$('set-form').onsubmit = (e) => { e.preventDefault();
  const at = $('set-at').value;  // "2026-10-09T23:59" or with seconds: Beijing time
  post('/api/clock', {action: 'set', at: (at.length === 16 ? at + ':00' : at) + '+08:00'}); };
async function snapshots() {
  const r = await fetch('/api/snapshots');
  const data = await r.json();
  if (!r.ok) { $('error').textContent = data.message; return; }
  $('snapshots').innerHTML = data.snapshots.map(s => `<tr><td>${esc(s.name)}${s.name === 'demo' ? ' <span class="muted">（内置演示数据）</span>' : ''}</td><td>${s.clock ? local(s.clock) : '真实时间'}</td><td>${esc(lagText(s.lag))}</td><td class="ops"><button data-restore="${esc(s.name)}">恢复</button>${s.name === 'demo' ? '' : `<button class="plain" data-delete="${esc(s.name)}">删除</button>`}</td></tr>`).join('');
  $('snapshots').querySelectorAll('[data-restore]').forEach(b => b.onclick = async () => {
    if (confirm(`恢复快照 ${b.dataset.restore}？两个平台当前的数据将被替换。`)) await post('/api/snapshots', {action: 'restore', name: b.dataset.restore}); });
  $('snapshots').querySelectorAll('[data-delete]').forEach(b => b.onclick = async () => {
    if (confirm(`删除快照 ${b.dataset.delete}？`)) { await post('/api/snapshots', {action: 'delete', name: b.dataset.delete}); snapshots(); } });
}
$('save-form').onsubmit = async (e) => { e.preventDefault();
  if (await post('/api/snapshots', {action: 'save', name: $('snapshot-name').value.trim()})) { $('snapshot-name').value = ''; snapshots(); } };
$('reset').onclick = () => { if (confirm('确定重置两个平台的全部数据，并把时钟拨回演示起点？')) post('/api/reset'); };
refresh(); snapshots(); setInterval(refresh, 1500);
