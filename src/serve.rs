//! Watch and live preview: `broadside watch` rebuilds on every save; `broadside serve`
//! runs a small HTTP server on 127.0.0.1 whose page shows the selected edition and is told
//! of each rebuild by server-sent events, with input errors shown over the last good render
//! and a proof sheet of every edition of a layout.

use crate::diag::Diagnostic;
use crate::kit::{Job, Options, Session};
use std::collections::HashMap;
use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::mpsc::{Receiver, RecvTimeoutError, channel};
use std::sync::{Arc, Condvar, Mutex};
use std::time::Duration;

/// The folders whose files a rebuild depends on: campaigns, layouts (unless built in) and
/// fonts. Output folders are not watched, so writing PDFs does not trigger a rebuild.
fn watched(options: &Options) -> Vec<PathBuf> {
    let mut dirs = vec![options.content.clone()];
    if !options.layouts.starts_with(crate::assets::BUILTIN) {
        dirs.push(options.layouts.clone());
    }
    dirs.extend(options.font_dirs.iter().cloned());
    dirs.retain(|d| d.is_dir());
    dirs
}

/// Starts watching `options`' input folders; each message on the receiver is one change.
fn start_watcher(options: &Options) -> Result<(notify::RecommendedWatcher, Receiver<()>), String> {
    use notify::{EventKind, RecursiveMode, Watcher};
    let (tx, rx) = channel();
    let mut watcher = notify::recommended_watcher(move |event: notify::Result<notify::Event>| {
        if let Ok(event) = event {
            // Reading a file is not a change; editors' saves come as create/modify/remove.
            if !matches!(event.kind, EventKind::Access(_)) {
                let _ = tx.send(());
            }
        }
    })
    .map_err(|e| format!("cannot watch files: {e}"))?;
    for dir in watched(options) {
        watcher
            .watch(&dir, RecursiveMode::Recursive)
            .map_err(|e| format!("cannot watch `{}`: {e}", dir.display()))?;
    }
    Ok((watcher, rx))
}

/// Waits for the next change, then lets a burst of events (an editor's save is several)
/// settle for a moment. `false` when the watcher is gone.
fn next_change(rx: &Receiver<()>) -> bool {
    if rx.recv().is_err() {
        return false;
    }
    loop {
        match rx.recv_timeout(Duration::from_millis(80)) {
            Ok(()) => continue,
            Err(RecvTimeoutError::Timeout) => return true,
            Err(RecvTimeoutError::Disconnected) => return false,
        }
    }
}

/// `broadside watch`: runs `rebuild` now and after every save, until interrupted.
pub fn watch(options: Options, rebuild: impl Fn(&Options) -> ExitCode) -> ExitCode {
    let (_watcher, rx) = match start_watcher(&options) {
        Ok(w) => w,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(2);
        }
    };
    rebuild(&options);
    eprintln!("watching for changes (Ctrl-C to stop)");
    while next_change(&rx) {
        eprintln!("\nchange seen: rebuilding");
        rebuild(&options);
        eprintln!("watching for changes (Ctrl-C to stop)");
    }
    ExitCode::SUCCESS
}

/// One edition as the page renders it.
#[derive(Clone)]
struct Rendered {
    pages: Vec<Arc<Vec<u8>>>,
    /// The text of the pages (read back from the PDF), shown under the images.
    text: String,
}

struct Live {
    options: Options,
    dpi: f32,
    /// The last inputs that loaded; kept while the files have an error.
    session: Option<Arc<Session>>,
    jobs: Vec<Job>,
    /// The inputs' errors, as printed in a terminal (file, line, source line, caret).
    error: Option<String>,
    generation: u64,
    renders: HashMap<String, Result<Rendered, String>>,
    /// The last good render of each edition, shown while its newest one fails.
    good: HashMap<String, Rendered>,
}

type Shared = Arc<(Mutex<Live>, Condvar)>;

fn plain(diagnostics: &[Diagnostic]) -> String {
    diagnostics
        .iter()
        .map(|d| d.render(false))
        .collect::<Vec<_>>()
        .join("\n\n")
}

impl Live {
    /// Loads the inputs again: a new session, or the error that keeps the last one.
    fn reload(&mut self) {
        let loaded = Session::load(&self.options).and_then(|session| {
            let jobs = session.plan(&self.options)?;
            Ok((session, jobs))
        });
        match loaded {
            Ok((session, jobs)) => {
                self.session = Some(Arc::new(session));
                self.jobs = jobs;
                self.error = None;
                self.renders.clear();
            }
            // The last good session and its renders stay.
            Err(errs) => self.error = Some(plain(&errs)),
        }
        self.generation += 1;
    }

    fn find(&self, layout: &str, edition: &str, lang: &str) -> Option<Job> {
        let session = self.session.as_ref()?;
        self.jobs
            .iter()
            .find(|j| {
                session.layouts[j.layout].name == layout
                    && j.edition.slug == edition
                    && j.edition.lang == lang
            })
            .or_else(|| self.jobs.first())
            .cloned()
    }
}

/// Composes, renders and rasterises one job.
fn render(session: &Session, job: &Job, dpi: f32) -> Result<Rendered, String> {
    let pdf = session.render(job).map_err(|e| plain(&e))?;
    let text = lopdf::Document::load_mem(&pdf)
        .ok()
        .and_then(|doc| {
            let pages: Vec<u32> = doc.get_pages().keys().copied().collect();
            doc.extract_text(&pages).ok()
        })
        .unwrap_or_default();
    let pages = crate::render::preview_png(pdf, dpi).map_err(|d| d.render(false))?;
    Ok(Rendered {
        pages: pages.into_iter().map(Arc::new).collect(),
        text,
    })
}

/// The render of a selection for the current generation (made once, then cached).
fn rendered(
    shared: &Shared,
    layout: &str,
    edition: &str,
    lang: &str,
    dpi: Option<f32>,
) -> Option<(Job, Result<Rendered, String>)> {
    let (lock, _) = &**shared;
    let (session, job, key, dpi) = {
        let live = lock.lock().ok()?;
        let job = live.find(layout, edition, lang)?;
        let dpi = dpi.unwrap_or(live.dpi);
        let key = format!(
            "{}|{}|{}|{}",
            job.layout, job.edition.slug, job.edition.lang, dpi
        );
        if let Some(hit) = live.renders.get(&key) {
            return Some((job, hit.clone()));
        }
        (live.session.clone()?, job, key, dpi)
    };
    let result = render(&session, &job, dpi);
    let mut live = lock.lock().ok()?;
    if let Ok(good) = &result {
        live.good.insert(key.clone(), good.clone());
    }
    live.renders.insert(key, result.clone());
    Some((job, result))
}

/// `broadside serve`: the live preview on 127.0.0.1.
pub fn serve(options: Options, port: u16, dpi: f32) -> ExitCode {
    let server = match tiny_http::Server::http(("127.0.0.1", port)) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("error: cannot listen on 127.0.0.1:{port}: {e}");
            return ExitCode::from(2);
        }
    };
    let (_watcher, rx) = match start_watcher(&options) {
        Ok(w) => w,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(2);
        }
    };
    let mut live = Live {
        options,
        dpi,
        session: None,
        jobs: Vec::new(),
        error: None,
        generation: 0,
        renders: HashMap::new(),
        good: HashMap::new(),
    };
    live.reload();
    if let Some(error) = &live.error {
        eprintln!("{error}\n");
    }
    let shared: Shared = Arc::new((Mutex::new(live), Condvar::new()));
    {
        let shared = shared.clone();
        std::thread::spawn(move || {
            while next_change(&rx) {
                let (lock, changed) = &*shared;
                if let Ok(mut live) = lock.lock() {
                    live.reload();
                    match &live.error {
                        Some(error) => eprintln!("{error}\n"),
                        None => eprintln!("rebuilt (generation {})", live.generation),
                    }
                }
                changed.notify_all();
            }
        });
    }
    let address = server
        .server_addr()
        .to_ip()
        .map_or_else(|| format!("127.0.0.1:{port}"), |a| a.to_string());
    println!("serving the live preview at http://{address}/ (Ctrl-C to stop)");
    let _ = std::io::stdout().flush();
    for request in server.incoming_requests() {
        let shared = shared.clone();
        std::thread::spawn(move || handle(request, &shared));
    }
    ExitCode::SUCCESS
}

/// The query string's value for `key` (percent-decoded).
fn query(url: &str, key: &str) -> Option<String> {
    let (_, q) = url.split_once('?')?;
    q.split('&').find_map(|pair| {
        let (k, v) = pair.split_once('=')?;
        (k == key).then(|| decode(v))
    })
}

fn decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < bytes.len() => match u8::from_str_radix(&text[i + 1..i + 3], 16) {
                Ok(b) => {
                    out.push(b);
                    i += 2;
                }
                Err(_) => out.push(b'%'),
            },
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn html_escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

fn respond(request: tiny_http::Request, status: u16, kind: &str, body: Vec<u8>) {
    let header = tiny_http::Header::from_bytes(&b"Content-Type"[..], kind.as_bytes())
        .expect("a valid header");
    let no_cache = tiny_http::Header::from_bytes(&b"Cache-Control"[..], &b"no-store"[..])
        .expect("a valid header");
    let response = tiny_http::Response::from_data(body)
        .with_status_code(status)
        .with_header(header)
        .with_header(no_cache);
    let _ = request.respond(response);
}

fn handle(request: tiny_http::Request, shared: &Shared) {
    let url = request.url().to_string();
    let path = url.split('?').next().unwrap_or("/").to_string();
    let pick = |key: &str| query(&url, key).unwrap_or_default();
    match path.as_str() {
        "/" => respond(
            request,
            200,
            "text/html; charset=utf-8",
            PAGE.as_bytes().to_vec(),
        ),
        "/events" => events(request, shared),
        "/api/state" => {
            let body = state(shared, &pick("layout"), &pick("edition"), &pick("lang"));
            respond(request, 200, "application/json", body.into_bytes())
        }
        "/page.png" | "/thumb.png" => {
            let n: usize = pick("page").parse().unwrap_or(1);
            let dpi = (path == "/thumb.png").then_some(18.0);
            let (layout, edition, lang) = (pick("layout"), pick("edition"), pick("lang"));
            let png = rendered(shared, &layout, &edition, &lang, dpi).and_then(|(job, result)| {
                let good = match result {
                    Ok(r) => Some(r),
                    // The last good render stays visible while the newest one fails.
                    Err(_) => {
                        let live = shared.0.lock().ok()?;
                        let dpi = dpi.unwrap_or(live.dpi);
                        let key = format!(
                            "{}|{}|{}|{}",
                            job.layout, job.edition.slug, job.edition.lang, dpi
                        );
                        live.good.get(&key).cloned()
                    }
                }?;
                good.pages.get(n.saturating_sub(1)).cloned()
            });
            match png {
                Some(png) => respond(request, 200, "image/png", png.to_vec()),
                None => respond(request, 404, "text/plain", b"no such page".to_vec()),
            }
        }
        "/proof" => {
            let body = proof(shared, &pick("layout"));
            respond(request, 200, "text/html; charset=utf-8", body.into_bytes())
        }
        _ => respond(request, 404, "text/plain", b"not found".to_vec()),
    }
}

/// Server-sent events: one `data: <generation>` message after every reload (and a comment
/// every 15 s so proxies and browsers keep the stream open).
fn events(request: tiny_http::Request, shared: &Shared) {
    let mut writer = request.into_writer();
    let head = "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nCache-Control: no-store\r\nConnection: close\r\n\r\n";
    if writer
        .write_all(head.as_bytes())
        .and_then(|_| writer.flush())
        .is_err()
    {
        return;
    }
    let (lock, changed) = &**shared;
    let Ok(mut live) = lock.lock() else { return };
    let mut seen = live.generation;
    loop {
        let (guard, timeout) = match changed.wait_timeout(live, Duration::from_secs(15)) {
            Ok(x) => x,
            Err(_) => return,
        };
        live = guard;
        let message = if live.generation != seen {
            seen = live.generation;
            format!("data: {seen}\n\n")
        } else if timeout.timed_out() {
            ": still here\n\n".to_string()
        } else {
            continue;
        };
        drop(live);
        if writer
            .write_all(message.as_bytes())
            .and_then(|_| writer.flush())
            .is_err()
        {
            return;
        }
        live = match lock.lock() {
            Ok(l) => l,
            Err(_) => return,
        };
    }
}

/// The page's state: what can be chosen, the inputs' error, and the chosen edition's
/// render (its page count and text, or its error).
fn state(shared: &Shared, layout: &str, edition: &str, lang: &str) -> String {
    let (generation, error, choices) = {
        let Ok(live) = shared.0.lock() else {
            return "{}".into();
        };
        let mut choices = Vec::new();
        if let Some(session) = &live.session {
            for job in &live.jobs {
                choices.push(serde_json::json!({
                    "layout": session.layouts[job.layout].name,
                    "edition": job.edition.slug,
                    "name": job.edition.name,
                    "lang": job.edition.lang,
                }));
            }
        }
        (live.generation, live.error.clone(), choices)
    };
    let render = match rendered(shared, layout, edition, lang, None) {
        Some((job, result)) => {
            let chosen = serde_json::json!({
                "edition": job.edition.slug,
                "lang": job.edition.lang,
                "layout": shared.0.lock().ok().and_then(|l| l.session.as_ref().map(|s| s.layouts[job.layout].name.clone())),
            });
            match result {
                Ok(r) => {
                    serde_json::json!({"ok": true, "pages": r.pages.len(), "text": r.text, "chosen": chosen})
                }
                Err(e) => serde_json::json!({"ok": false, "error": e, "chosen": chosen}),
            }
        }
        None => {
            serde_json::json!({"ok": false, "error": "nothing to show: the inputs have not loaded yet"})
        }
    };
    serde_json::json!({
        "generation": generation,
        "error": error,
        "choices": choices,
        "render": render,
    })
    .to_string()
}

/// The proof sheet: every edition of a layout as a thumbnail, with a badge on each that
/// fails or has findings.
fn proof(shared: &Shared, layout: &str) -> String {
    let (session, jobs, error) = {
        let Ok(live) = shared.0.lock() else {
            return String::new();
        };
        (live.session.clone(), live.jobs.clone(), live.error.clone())
    };
    let mut html = String::from(PROOF_HEAD);
    if let Some(error) = error {
        html.push_str(&format!("<pre class=error>{}</pre>", html_escape(&error)));
    }
    let Some(session) = session else {
        html.push_str("</body></html>");
        return html;
    };
    let layout = if layout.is_empty() {
        session
            .layouts
            .first()
            .map(|l| l.name.clone())
            .unwrap_or_default()
    } else {
        layout.to_string()
    };
    let jobs: Vec<Job> = jobs
        .into_iter()
        .filter(|j| session.layouts[j.layout].name == layout)
        .collect();
    html.push_str(&format!(
        "<h1>Proof: {} — {} edition(s)</h1><p><a href=\"/\">back to the preview</a></p><div class=grid>",
        html_escape(&layout),
        jobs.len()
    ));
    let outcomes = session.check(jobs);
    for outcome in outcomes {
        let job = &outcome.job;
        let (badge, title) = match &outcome.result {
            Err(errs) => (
                "<span class='badge fail'>fails</span>".to_string(),
                plain(errs),
            ),
            Ok(built) if !built.warnings.is_empty() => (
                format!(
                    "<span class='badge flag'>{} finding(s)</span>",
                    built.warnings.len()
                ),
                plain(&built.warnings),
            ),
            Ok(_) => (String::new(), String::new()),
        };
        let q = html_escape(&format!(
            "layout={}&edition={}&lang={}",
            layout, job.edition.slug, job.edition.lang
        ));
        html.push_str(&format!(
            "<a class=card href=\"/?{q}\" title=\"{}\"><img loading=lazy src=\"/thumb.png?{q}\" alt=\"\">{badge}<span class=name>{} ({})</span></a>",
            html_escape(&title),
            html_escape(&job.edition.name),
            html_escape(&job.edition.lang)
        ));
    }
    html.push_str("</div></body></html>");
    html
}

const PROOF_HEAD: &str = r#"<!doctype html><html lang=en><head><meta charset=utf-8><title>broadside proof</title>
<style>body{font:14px system-ui,sans-serif;margin:1em;background:#f4f4f6}
.grid{display:flex;flex-wrap:wrap;gap:10px}.card{position:relative;display:flex;flex-direction:column;width:150px;color:#222;text-decoration:none;background:#fff;padding:4px;border:1px solid #ccc}
.card img{width:100%;background:#fff}.name{font-size:12px}
.badge{position:absolute;top:6px;right:6px;padding:1px 6px;border-radius:8px;color:#fff;font-size:11px}.fail{background:#b00020}.flag{background:#c77700}
.error{background:#fff0f0;border:1px solid #b00020;padding:8px;white-space:pre-wrap}</style></head><body>"#;

/// The preview page: choosers, the error box, the page images and their text; an
/// EventSource asks for the new state after every rebuild (no reload).
const PAGE: &str = r#"<!doctype html>
<html lang=en><head><meta charset=utf-8><title>broadside preview</title>
<style>
body{font:14px system-ui,sans-serif;margin:0;background:#e9e9ee;color:#222}
header{display:flex;gap:12px;align-items:center;padding:8px 12px;background:#1f2a5c;color:#fff}
header select{font:inherit}header a{color:#fff}#status{margin-left:auto;font-size:12px;opacity:.8}
main{padding:12px}#error{display:none;background:#fff0f0;color:#600;border:2px solid #b00020;padding:10px;margin:0 0 12px;white-space:pre;overflow:auto;font:13px ui-monospace,monospace}
#renderError{display:none;background:#fff7e6;border:2px solid #c77700;padding:10px;margin:0 0 12px;white-space:pre;overflow:auto;font:13px ui-monospace,monospace}
#pages img{display:block;margin:0 auto 12px;box-shadow:0 1px 6px rgba(0,0,0,.3);background:#fff;max-width:100%}
details{max-width:60em;margin:0 auto}#text{white-space:pre-wrap}
</style></head><body>
<header><strong>broadside</strong>
<label>layout <select id=layout></select></label>
<label>edition <select id=edition></select></label>
<label>language <select id=lang></select></label>
<a id=proof href="/proof">proof sheet</a><span id=status>connecting…</span></header>
<main><pre id=error></pre><pre id=renderError></pre><div id=pages></div>
<details open><summary>Text of the pages</summary><div id=text></div></details></main>
<script>
window.loadStamp = Math.random();
const params = new URLSearchParams(location.search);
const sel = {layout: params.get('layout') || '', edition: params.get('edition') || '', lang: params.get('lang') || ''};
const $ = id => document.getElementById(id);
function fill(select, values, current) {
  const key = values.map(v => v[0]).join('|');
  if (select.dataset.key !== key) {
    select.innerHTML = '';
    for (const [value, label] of values) { const o = document.createElement('option'); o.value = value; o.textContent = label; select.appendChild(o); }
    select.dataset.key = key;
  }
  select.value = current;
}
function uniq(list) { const seen = new Set(); return list.filter(x => !seen.has(x[0]) && seen.add(x[0])); }
async function refresh() {
  const q = new URLSearchParams(sel).toString();
  let s;
  try { s = await (await fetch('/api/state?' + q)).json(); } catch (e) { $('status').textContent = 'server stopped'; return; }
  const r = s.render;
  if (r.chosen) { sel.layout = r.chosen.layout; sel.edition = r.chosen.edition; sel.lang = r.chosen.lang; }
  fill($('layout'), uniq(s.choices.map(c => [c.layout, c.layout])), sel.layout);
  fill($('edition'), uniq(s.choices.filter(c => c.layout === sel.layout).map(c => [c.edition, c.name])), sel.edition);
  fill($('lang'), uniq(s.choices.filter(c => c.layout === sel.layout && c.edition === sel.edition).map(c => [c.lang, c.lang])), sel.lang);
  $('proof').href = '/proof?layout=' + encodeURIComponent(sel.layout);
  $('error').style.display = s.error ? 'block' : 'none';
  $('error').textContent = s.error || '';
  $('renderError').style.display = r.ok ? 'none' : (s.error ? 'none' : 'block');
  $('renderError').textContent = r.ok ? '' : (r.error || '');
  if (r.ok) {
    const base = new URLSearchParams(sel);
    const pages = $('pages');
    while (pages.children.length > r.pages) pages.lastChild.remove();
    for (let n = 1; n <= r.pages; n++) {
      let img = pages.children[n - 1];
      if (!img) { img = document.createElement('img'); img.alt = 'page ' + n; pages.appendChild(img); }
      base.set('page', n); base.set('gen', s.generation);
      img.src = '/page.png?' + base.toString();
    }
    $('text').textContent = r.text;
  }
  $('status').textContent = (s.error ? 'input error — showing the last good render' : 'up to date') + ' · build ' + s.generation;
  history.replaceState(null, '', '?' + q);
}
for (const id of ['layout', 'edition', 'lang']) $(id).addEventListener('change', e => { sel[id] = e.target.value; refresh(); });
const events = new EventSource('/events');
events.onmessage = () => refresh();
events.onopen = () => refresh();
refresh();
</script></body></html>
"#;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn query_values_are_decoded() {
        let url = "/api/state?layout=flyer-letter&edition=contra-costa&lang=zh-Hant&x=a%20b+c";
        assert_eq!(query(url, "lang").as_deref(), Some("zh-Hant"));
        assert_eq!(query(url, "x").as_deref(), Some("a b c"));
        assert_eq!(query(url, "missing"), None);
    }

    #[test]
    fn watched_folders_skip_built_in_layouts() {
        let dir = tempfile::tempdir().unwrap();
        let mut options = Options::at(dir.path());
        std::fs::create_dir_all(dir.path().join("content")).unwrap();
        options.layouts = crate::assets::builtin_path("layouts");
        assert_eq!(watched(&options), vec![dir.path().join("content")]);
    }
}
