//! The installed tool: the binary copied out of the repository starts a kit with `init`
//! and builds it byte for byte as the repository does; commands find their kit from a
//! subfolder; diagnostics print their source line; the live preview updates a real
//! headless browser (Debian's chromium) within 2 s of a save.

use crate::common;

use crate::common::{repo, run_in, stderr};
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

/// The live preview test times the page's updates (2 s), so it runs alone: the other
/// tests (here and in every area) hold `common::shared()` while they work (a scratch kit
/// holds it, and so does each use of the shared kit runs), it holds `common::alone()`.
use crate::common::shared;

/// The binary, copied into a temporary "install root" outside the repository, so nothing
/// it does can lean on the repository's files.
struct Installed {
    _root: tempfile::TempDir,
    exe: PathBuf,
}

impl Installed {
    fn new() -> Installed {
        let root = tempfile::tempdir().unwrap();
        let exe = root.path().join("bin/broadside");
        std::fs::create_dir_all(exe.parent().unwrap()).unwrap();
        std::fs::copy(env!("CARGO_BIN_EXE_broadside"), &exe).unwrap();
        assert!(!root.path().starts_with(repo()));
        // A process another test thread forks while the copy is open for writing holds the
        // file open until it execs, and running the copy meanwhile fails with "text file
        // busy" (ETXTBSY): wait until the copy runs.
        for attempt in 0.. {
            match Command::new(&exe).arg("--version").output() {
                Err(e) if e.kind() == std::io::ErrorKind::ExecutableFileBusy && attempt < 100 => {
                    std::thread::sleep(Duration::from_millis(20));
                }
                result => {
                    result.unwrap();
                    break;
                }
            }
        }
        Installed { _root: root, exe }
    }

    fn command(&self, dir: &Path) -> Command {
        let mut command = Command::new(&self.exe);
        command
            .current_dir(dir)
            .env_remove("BROADSIDE_FONT_PATHS")
            .env_remove("BROADSIDE_OUT")
            .env("NO_COLOR", "1");
        command
    }

    fn run(&self, dir: &Path, args: &[&str]) -> Output {
        self.command(dir).args(args).output().unwrap()
    }

    /// A new kit made by `broadside init` in an empty temporary folder.
    fn kit(&self) -> tempfile::TempDir {
        let kit = tempfile::tempdir().unwrap();
        let output = self.run(kit.path(), &["init"]);
        assert!(output.status.success(), "{}", stderr(&output));
        assert!(kit.path().join("broadside.toml").is_file());
        kit
    }
}

fn pdfs(dir: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    common::walk(dir, &mut files);
    files.retain(|p| p.extension().is_some_and(|e| e == "pdf"));
    files.sort();
    files
}

#[test]
fn installed_binary_builds_an_init_kit_byte_for_byte_like_the_repository() {
    let _timing = shared();
    let installed = Installed::new();
    let kit = installed.kit();
    // The shipped campaign, counties and layouts are in the kit as files to edit.
    for file in [
        "content/trafficking-prevention/campaign.toml",
        "content/trafficking-prevention/campaign.zh-Hant.toml",
        "content/trafficking-prevention/counties.csv",
        "layouts/flyer-letter.toml",
        "layouts/poster-18x24.toml",
        "layouts/factsheet-letter.toml",
    ] {
        assert!(kit.path().join(file).is_file(), "{file}");
    }
    assert!(
        !kit.path().join("fonts").exists(),
        "fonts come from the binary"
    );
    // The statewide flyer in all seven shipped languages.
    let selection = [
        "build",
        "--county",
        "statewide",
        "--layout",
        "flyer-letter",
        "--year",
        "2027",
    ];
    let output = installed.run(kit.path(), &selection);
    assert!(output.status.success(), "{}", stderr(&output));
    let theirs = pdfs(&kit.path().join("out"));
    assert_eq!(theirs.len(), 7, "{theirs:?}");

    let ours_dir = tempfile::tempdir().unwrap();
    let mut args = selection.to_vec();
    args.extend(["--out", ours_dir.path().to_str().unwrap()]);
    let output = run_in(&repo(), &args);
    assert!(output.status.success(), "{}", stderr(&output));
    let ours = pdfs(ours_dir.path());
    assert_eq!(ours.len(), 7);
    for (a, b) in theirs.iter().zip(&ours) {
        assert_eq!(
            a.strip_prefix(kit.path().join("out")).unwrap(),
            b.strip_prefix(ours_dir.path()).unwrap()
        );
        assert!(
            std::fs::read(a).unwrap() == std::fs::read(b).unwrap(),
            "{} differs from the repository's build",
            a.display()
        );
    }
}

#[test]
fn commands_find_the_kit_from_a_subfolder_and_say_how_to_start_one_outside() {
    let _timing = shared();
    let installed = Installed::new();
    let kit = installed.kit();
    let sub = kit.path().join("content/trafficking-prevention");
    let output = installed.run(
        &sub,
        &[
            "build",
            "--county",
            "alameda",
            "--layout",
            "flyer-letter",
            "--year",
            "2027",
        ],
    );
    assert!(output.status.success(), "{}", stderr(&output));
    // Output goes to the kit's out/, not the folder the command ran in.
    assert!(
        kit.path()
            .join("out/2027/trafficking-prevention/alameda/flyer-letter.pdf")
            .is_file()
    );
    assert!(!sub.join("out").exists());
    // The schedule runs in the kit's root, by its absolute path.
    let cron = installed.run(&sub, &["schedule", "--emit", "cron"]);
    let cron = String::from_utf8(cron.stdout).unwrap();
    let root = kit.path().canonicalize().unwrap();
    assert!(
        cron.contains(&format!("cd '{}' &&", root.display()))
            || cron.contains(&format!("cd '{}' &&", kit.path().display())),
        "{cron}"
    );

    let outside = tempfile::tempdir().unwrap();
    let output = installed.run(outside.path(), &["build"]);
    assert_eq!(output.status.code(), Some(2));
    let err = stderr(&output);
    assert!(
        err.contains("no broadside.toml in")
            && err.contains("not a broadside kit")
            && err.contains("broadside init"),
        "{err}"
    );
    assert!(pdfs(outside.path()).is_empty());
    // `init DIR --campaign NAME` starts a blank campaign that builds as it stands.
    let output = installed.run(
        outside.path(),
        &["init", "mine", "--campaign", "water-safety"],
    );
    assert!(output.status.success(), "{}", stderr(&output));
    let output = installed.run(
        &outside.path().join("mine"),
        &["build", "--layout", "flyer-letter", "--year", "2027"],
    );
    assert!(output.status.success(), "{}", stderr(&output));
    assert_eq!(
        pdfs(&outside.path().join("mine/out")).len(),
        2,
        "statewide + Example"
    );
}

/// The line number (1-based) of the first line of `text` containing `needle`.
fn line_of(text: &str, needle: &str) -> usize {
    text.lines().position(|l| l.contains(needle)).unwrap() + 1
}

#[test]
fn malformed_toml_prints_its_source_line_and_caret() {
    let _timing = shared();
    let installed = Installed::new();
    let kit = installed.kit();
    let path = kit
        .path()
        .join("content/trafficking-prevention/campaign.toml");
    let text = std::fs::read_to_string(&path).unwrap();
    let text = text.replacen("phone = \"(916) 653-1838\"", "phone = (916) 653-1838", 1);
    std::fs::write(&path, &text).unwrap();
    let line = line_of(&text, "phone = (916)");
    let output = installed.run(kit.path(), &["check", "--color", "never"]);
    assert_eq!(output.status.code(), Some(2));
    // Paths are shown relative to the folder the command ran in (the kit's root).
    let expected = format!(
        "error: string values must be quoted, expected literal string\n  --> content/trafficking-prevention/campaign.toml:{line}:9 (field `vars.phone`)\n   |\n{line} | phone = (916) 653-1838\n   |         ^^^^^\n  = hint: see docs/formats.md for the TOML shapes broadside reads\n\n"
    );
    assert!(
        stderr(&output).starts_with(&expected),
        "expected:\n{expected}\ngot:\n{}",
        stderr(&output)
    );
}

#[test]
fn unknown_colour_prints_its_source_line_and_caret_in_colour_on_request() {
    let _timing = shared();
    let installed = Installed::new();
    let kit = installed.kit();
    let path = kit.path().join("layouts/flyer-letter.toml");
    let text = std::fs::read_to_string(&path).unwrap();
    // The first `color = "navy"` of a style.
    let at = text.find("color = \"navy\"").expect("a navy style");
    let text = format!(
        "{}color = \"navvy\"{}",
        &text[..at],
        &text[at + "color = \"navy\"".len()..]
    );
    std::fs::write(&path, &text).unwrap();
    let line = text[..at].lines().count() + 1;
    let source = text.lines().nth(line - 1).unwrap();
    let col = source.find("\"navvy\"").unwrap() + 1;
    let field = {
        let header = text[..at]
            .lines()
            .rev()
            .find(|l| l.trim_start().starts_with('['))
            .unwrap();
        format!("{}.color", header.trim().trim_matches(['[', ']']))
    };
    let output = installed.run(
        kit.path(),
        &["check", "--color", "never", "--layout", "flyer-letter"],
    );
    assert_eq!(output.status.code(), Some(2));
    let pad = " ".repeat(line.to_string().len().max(2));
    let expected = format!(
        "error: unknown colour `navvy`\n{pad}--> layouts/flyer-letter.toml:{line}:{col} (field `{field}`)\n{pad} |\n{line:>2} | {}\n{pad} | {}^^^^^^^\n{pad}= hint: did you mean `navy`?\n\n",
        source.trim_end(),
        " ".repeat(col - 1),
    );
    let err = stderr(&output);
    assert!(
        err.starts_with(&expected),
        "expected:\n{expected}\ngot:\n{err}"
    );
    // On request, the same in colour; NO_COLOR wins over `auto` only.
    let coloured = installed.run(
        kit.path(),
        &["check", "--color", "always", "--layout", "flyer-letter"],
    );
    assert!(stderr(&coloured).starts_with("\x1b[1;31merror:\x1b[0m"));
}

#[test]
fn completions_and_man_page_come_from_the_command_line_definition() {
    let _timing = shared();
    let installed = Installed::new();
    let dir = tempfile::tempdir().unwrap();
    for shell in ["bash", "zsh", "fish"] {
        let out = installed.run(dir.path(), &["completions", shell]);
        assert!(out.status.success());
        let script = String::from_utf8(out.stdout).unwrap();
        assert!(
            script.contains("serve") && script.contains("--font-dir"),
            "{shell}"
        );
    }
    let man = installed.run(dir.path(), &["man"]);
    let man = String::from_utf8(man.stdout).unwrap();
    assert!(
        man.starts_with(".ie") || man.contains(".TH broadside"),
        "{man}"
    );
    assert!(man.contains("init") && man.contains("serve"));
    // Fonts: every family says where it comes from.
    let fonts = installed.run(dir.path(), &["fonts"]);
    let fonts = String::from_utf8(fonts.stdout).unwrap();
    let oswald = &fonts[fonts.find("Oswald\n").unwrap()..];
    let oswald = oswald.split("\n\n").next().unwrap();
    assert!(oswald.contains("  from:      built in"), "{fonts}");
    assert!(
        !fonts.contains("from:      /"),
        "nothing from a folder outside a kit: {fonts}"
    );
}

// ---- the live preview in a headless browser ------------------------------------------

/// Kills a child process (ours) when the test ends, passing or not.
struct Reap(Child);

impl Drop for Reap {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn chromium() -> Option<PathBuf> {
    if let Some(path) = std::env::var_os("BROADSIDE_CHROMIUM") {
        return Some(PathBuf::from(path));
    }
    ["chromium", "chromium-browser", "google-chrome"]
        .iter()
        .find_map(|name| {
            std::env::var_os("PATH").and_then(|paths| {
                std::env::split_paths(&paths)
                    .map(|dir| dir.join(name))
                    .find(|p| p.is_file())
            })
        })
}

/// A GET, read to the end of its Content-Length (DevTools keeps
/// connections open).
fn http_get(address: &str, path: &str) -> String {
    // A refused or reset connection reads as an empty answer: callers poll.
    let Ok(mut stream) = TcpStream::connect(address) else {
        return String::new();
    };
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    if write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: {address}\r\nConnection: close\r\n\r\n"
    )
    .is_err()
    {
        return String::new();
    }
    let mut response = Vec::new();
    let mut buf = [0u8; 8192];
    loop {
        let n = match stream.read(&mut buf) {
            Ok(0) | Err(_) => break,
            Ok(n) => n,
        };
        response.extend_from_slice(&buf[..n]);
        let text = String::from_utf8_lossy(&response);
        if let Some((head, body)) = text.split_once("\r\n\r\n") {
            let length = head.lines().find_map(|l| {
                let (k, v) = l.split_once(':')?;
                k.eq_ignore_ascii_case("content-length")
                    .then(|| v.trim().parse::<usize>().ok())?
            });
            if length.is_some_and(|len| body.len() >= len) {
                break;
            }
        }
    }
    let text = String::from_utf8_lossy(&response).into_owned();
    text.split_once("\r\n\r\n")
        .map(|(_, body)| body.to_string())
        .unwrap_or_default()
}

/// A minimal client for the DevTools protocol over a WebSocket (RFC 6455 framing, text
/// frames only): enough to evaluate JavaScript in the page.
struct DevTools {
    stream: TcpStream,
    next_id: u64,
}

impl DevTools {
    fn connect(ws_url: &str) -> DevTools {
        let rest = ws_url.strip_prefix("ws://").unwrap();
        let (host, path) = rest.split_once('/').unwrap();
        let mut stream = TcpStream::connect(host).unwrap();
        write!(
            stream,
            "GET /{path} HTTP/1.1\r\nHost: {host}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n"
        )
        .unwrap();
        let mut head = Vec::new();
        let mut byte = [0u8; 1];
        while !head.ends_with(b"\r\n\r\n") {
            stream.read_exact(&mut byte).unwrap();
            head.push(byte[0]);
        }
        assert!(
            head.starts_with(b"HTTP/1.1 101"),
            "{}",
            String::from_utf8_lossy(&head)
        );
        stream
            .set_read_timeout(Some(Duration::from_secs(20)))
            .unwrap();
        DevTools { stream, next_id: 1 }
    }

    fn send(&mut self, text: &str) {
        let payload = text.as_bytes();
        let mut frame = vec![0x81u8];
        match payload.len() {
            n if n < 126 => frame.push(0x80 | n as u8),
            n if n < 65536 => {
                frame.push(0x80 | 126);
                frame.extend_from_slice(&(n as u16).to_be_bytes());
            }
            n => {
                frame.push(0x80 | 127);
                frame.extend_from_slice(&(n as u64).to_be_bytes());
            }
        }
        // Client frames must be masked; a zero mask leaves the payload as it is.
        frame.extend_from_slice(&[0, 0, 0, 0]);
        frame.extend_from_slice(payload);
        self.stream.write_all(&frame).unwrap();
    }

    fn receive(&mut self) -> String {
        let mut message = Vec::new();
        loop {
            let mut head = [0u8; 2];
            self.stream.read_exact(&mut head).unwrap();
            let fin = head[0] & 0x80 != 0;
            let mut len = u64::from(head[1] & 0x7f);
            if len == 126 {
                let mut b = [0u8; 2];
                self.stream.read_exact(&mut b).unwrap();
                len = u64::from(u16::from_be_bytes(b));
            } else if len == 127 {
                let mut b = [0u8; 8];
                self.stream.read_exact(&mut b).unwrap();
                len = u64::from_be_bytes(b);
            }
            let mut payload = vec![0u8; len as usize];
            self.stream.read_exact(&mut payload).unwrap();
            message.extend_from_slice(&payload);
            if fin {
                return String::from_utf8_lossy(&message).into_owned();
            }
        }
    }

    /// Calls a DevTools method and returns its result.
    fn call(&mut self, method: &str, params: serde_json::Value) -> serde_json::Value {
        let id = self.next_id;
        self.next_id += 1;
        let request = serde_json::json!({"id": id, "method": method, "params": params});
        self.send(&request.to_string());
        loop {
            let reply: serde_json::Value = serde_json::from_str(&self.receive()).unwrap();
            if reply["id"] == id {
                return reply["result"].clone();
            }
        }
    }

    /// Evaluates `expression` in the page and returns its value.
    fn eval(&mut self, expression: &str) -> serde_json::Value {
        self.call(
            "Runtime.evaluate",
            serde_json::json!({"expression": expression, "returnByValue": true}),
        )["result"]["value"]
            .clone()
    }

    /// With BROADSIDE_SCREENSHOTS=DIR, saves a screenshot of the page as DIR/name (how the
    /// README's pictures of the preview are made).
    fn screenshot(&mut self, name: &str) {
        let Some(dir) = std::env::var_os("BROADSIDE_SCREENSHOTS") else {
            return;
        };
        self.call(
            "Emulation.setDeviceMetricsOverride",
            serde_json::json!({"width": 1000, "height": 1000, "deviceScaleFactor": 1, "mobile": false}),
        );
        // Let the images settle at the new size.
        std::thread::sleep(Duration::from_millis(500));
        let shot = self.call(
            "Page.captureScreenshot",
            serde_json::json!({"format": "png"}),
        );
        let png = base64_decode(shot["data"].as_str().unwrap());
        std::fs::write(PathBuf::from(dir).join(name), png).unwrap();
    }

    fn text(&mut self, id: &str) -> String {
        self.eval(&format!("document.getElementById('{id}').innerText"))
            .as_str()
            .unwrap_or_default()
            .to_string()
    }
}

fn base64_decode(text: &str) -> Vec<u8> {
    let value = |c: u8| match c {
        b'A'..=b'Z' => c - b'A',
        b'a'..=b'z' => c - b'a' + 26,
        b'0'..=b'9' => c - b'0' + 52,
        b'+' => 62,
        _ => 63,
    };
    let clean: Vec<u8> = text.bytes().filter(|&c| c != b'=' && c != b'\n').collect();
    let mut out = Vec::new();
    for chunk in clean.chunks(4) {
        let mut n = 0u32;
        for (i, &c) in chunk.iter().enumerate() {
            n |= u32::from(value(c)) << (18 - 6 * i);
        }
        out.extend_from_slice(&n.to_be_bytes()[1..chunk.len()]);
    }
    out
}

/// Polls `check` every 50 ms until it holds or `limit` passes; returns how long it took.
fn within(limit: Duration, mut check: impl FnMut() -> bool) -> Option<Duration> {
    let start = Instant::now();
    while start.elapsed() < limit {
        if check() {
            return Some(start.elapsed());
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    None
}

#[test]
fn live_preview_updates_the_open_page_shows_errors_and_recovers() {
    let _alone = crate::common::alone();
    let Some(browser) = chromium() else {
        if std::env::var_os("BROADSIDE_SKIP_BROWSER").is_some() {
            eprintln!(
                "\n\n*** SKIPPED: no chromium for the live preview test (BROADSIDE_SKIP_BROWSER is set) ***\n\n"
            );
            return;
        }
        panic!(
            "the live preview test needs a headless browser: `apt-get install chromium` \
             (or set BROADSIDE_CHROMIUM, or BROADSIDE_SKIP_BROWSER=1 to skip loudly)"
        );
    };
    let installed = Installed::new();
    let kit = installed.kit();
    let mut server = installed
        .command(kit.path())
        .args([
            "serve",
            "--port",
            "0",
            "--layout",
            "flyer-letter",
            "--county",
            "statewide",
            "--lang",
            "en",
            "--year",
            "2027",
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(server.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let _server = Reap(server);
    eprintln!("preview: {line}");
    let url = line
        .split_whitespace()
        .find(|w| w.starts_with("http://"))
        .unwrap_or_else(|| panic!("no address in {line:?}"))
        .to_string();

    let profile = tempfile::tempdir().unwrap();
    let chrome = Command::new(&browser)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--no-first-run",
            "--remote-debugging-port=0",
            &format!("--user-data-dir={}", profile.path().display()),
            &url,
        ])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let _chrome = Reap(chrome);
    // Chromium writes its DevTools port to this file in the profile when it is ready.
    let port_file = profile.path().join("DevToolsActivePort");
    let mut devtools_host = String::new();
    within(Duration::from_secs(30), || {
        let text = std::fs::read_to_string(&port_file).unwrap_or_default();
        match text
            .lines()
            .next()
            .and_then(|l| l.trim().parse::<u16>().ok())
        {
            Some(port) => {
                devtools_host = format!("127.0.0.1:{port}");
                true
            }
            None => false,
        }
    });
    assert!(
        !devtools_host.is_empty(),
        "chromium never opened its DevTools port"
    );
    let page_ws = {
        let mut found = None;
        within(Duration::from_secs(20), || {
            let list: serde_json::Value =
                serde_json::from_str(&http_get(&devtools_host, "/json/list")).unwrap_or_default();
            found = list.as_array().and_then(|pages| {
                pages
                    .iter()
                    .find(|p| {
                        p["type"] == "page" && p["url"].as_str().unwrap_or("").starts_with(&url)
                    })
                    .and_then(|p| p["webSocketDebuggerUrl"].as_str().map(str::to_string))
            });
            found.is_some()
        });
        found.expect("the preview page is open in chromium")
    };
    eprintln!("devtools: {page_ws}");
    let mut page = DevTools::connect(&page_ws);

    // The first render (composing and rasterising from cold may take a while).
    assert!(
        within(Duration::from_secs(30), || page
            .text("text")
            .contains("(916) 653-1838"))
        .is_some(),
        "the page never showed the flyer: {}",
        page.text("text")
    );
    let images = "document.querySelectorAll('#pages img').length";
    assert_eq!(page.eval(images), 1);
    let stamp = page.eval("window.loadStamp");
    page.screenshot("preview-flyer.png");

    // 1. A save of the campaign file shows in the open page within 2 s, without a reload.
    let campaign = kit
        .path()
        .join("content/trafficking-prevention/campaign.toml");
    let original = std::fs::read_to_string(&campaign).unwrap();
    std::fs::write(
        &campaign,
        original.replacen("(916) 653-1838", "(916) 555-0199", 1),
    )
    .unwrap();
    let took = within(Duration::from_secs(2), || {
        page.text("text").contains("(916) 555-0199")
    });
    assert!(
        took.is_some(),
        "no update within 2 s: {}",
        page.text("text")
    );
    eprintln!("the edit showed in the page after {took:?}");
    assert_eq!(
        page.eval("window.loadStamp"),
        stamp,
        "the page was reloaded"
    );

    // 2. Broken TOML: the error with its file, line and source line; the render stays.
    let broken = original.replacen("phone = \"(916) 653-1838\"", "phone = (916) 555-0199", 1);
    let line = line_of(&broken, "phone = (916) 555-0199");
    std::fs::write(&campaign, &broken).unwrap();
    let place = format!("campaign.toml:{line}:");
    let took = within(Duration::from_secs(2), || {
        page.text("error").contains(&place)
    });
    assert!(
        took.is_some(),
        "no error shown within 2 s: {}",
        page.text("error")
    );
    eprintln!("the error showed in the page after {took:?}");
    let error = page.text("error");
    assert!(
        error.contains(&format!("{line} | phone = (916) 555-0199")) && error.contains("^^^^^"),
        "{error}"
    );
    assert_eq!(page.eval(images), 1, "the last good render stays");
    page.screenshot("preview-error.png");
    assert!(page.text("text").contains("(916) 555-0199"));

    // 3. Fixed: the error goes and the new text shows.
    std::fs::write(
        &campaign,
        original.replacen("(916) 653-1838", "(916) 555-0100", 1),
    )
    .unwrap();
    let took = within(Duration::from_secs(2), || {
        page.text("error").is_empty() && page.text("text").contains("(916) 555-0100")
    });
    assert!(
        took.is_some(),
        "the page did not recover: {}",
        page.text("error")
    );
    eprintln!("the fix showed in the page after {took:?}");
    assert_eq!(
        page.eval("window.loadStamp"),
        stamp,
        "the page was reloaded"
    );

    // The proof sheet: every edition of the layout as a thumbnail.
    let proof = http_get(
        url.trim_start_matches("http://").trim_end_matches('/'),
        "/proof?layout=flyer-letter",
    );
    assert!(
        proof.contains("Proof: flyer-letter — 1 edition(s)"),
        "{proof}"
    );
    assert!(
        proof.contains("/thumb.png?layout=flyer-letter&amp;edition=statewide&amp;lang=en"),
        "{proof}"
    );
}
