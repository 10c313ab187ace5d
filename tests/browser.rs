//! The book in a real browser: headless Chromium (Debian's `chromium`),
//! driven over the DevTools protocol by `headless_chrome`, reading the book
//! built from the real `book.toml` and served on loopback.
//!
//! One test, because one browser start and one book build serve every
//! check, in the order a reader meets them:
//!
//! 1. every page loads with no JavaScript error, no failed request and no
//!    image that did not load;
//! 2. mdBook's search finds "ephemeral";
//! 3. a quiz (mdbook-quiz) starts, takes answers, and its review shows the
//!    right answers with their explanations;
//! 4. a teacher-notes block opens, and an exercise box's hint unfolds;
//! 5. in the navy (dark) theme every diagram is legible: drawn on the page,
//!    its ink and its background differ by a contrast ratio of at least 4.5
//!    (WCAG's figure for text), so no diagram is dark on dark.
//!
//! Without Chromium or mdbook-quiz the test says so and passes; with
//! `NETLAB_REQUIRE_PEERS=1` (CI, where `.ci/install-peers` installs both) it
//! fails instead.

use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::{Duration, Instant};

use headless_chrome::protocol::cdp::types::Event;
use headless_chrome::{Browser, LaunchOptions, Tab};
use mdbook_driver::MDBook;
use mdbook_driver::config::Config;
use support::deadline;

/// The whole visit, pages and all, on a loaded machine.
const LIMIT: Duration = Duration::from_secs(600);
/// How long one page, element or script may take.
const STEP: Duration = Duration::from_secs(30);
/// WCAG's minimum contrast ratio for text.
const MIN_CONTRAST: f64 = 4.5;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Says why the test cannot run here, or fails when CI demands the peers.
fn skip(message: &str) {
    if std::env::var("NETLAB_REQUIRE_PEERS").as_deref() == Ok("1") {
        panic!("{message}, and NETLAB_REQUIRE_PEERS=1 requires it");
    }
    eprintln!("skipped: {message}");
}

/// Chromium's path: `$CHROME`, or `chromium` (Debian) on the PATH.
fn chromium() -> Option<PathBuf> {
    if let Some(path) = std::env::var_os("CHROME") {
        return Some(PathBuf::from(path));
    }
    ["chromium", "chromium-browser", "google-chrome"]
        .into_iter()
        .find(|name| {
            Command::new(name)
                .arg("--version")
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .status()
                .is_ok_and(|s| s.success())
        })
        .map(PathBuf::from)
}

fn quiz_plugin_installed() -> bool {
    Command::new("mdbook-quiz")
        .arg("--version")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

/// Builds the book as `book.toml` says, into `out`, with the workbook's
/// preprocessor taken from the binary cargo built for these tests.
fn build_book(out: &Path) {
    let mut config =
        Config::from_disk(root().join("book.toml")).expect("reading book.toml");
    config.set("build.build-dir", out).expect("build-dir");
    let command = format!(
        "'{}'",
        env!("CARGO_BIN_EXE_netlab-book").replace('\'', r"'\''")
    );
    config
        .set("preprocessor.netlab.command", &command)
        .expect("the netlab preprocessor");
    config
        .set(
            "preprocessor.netlab-snippets.command",
            format!("{command} snippets"),
        )
        .expect("the snippets preprocessor");
    let book = MDBook::load_with_config(root(), config).expect("loading the book");
    book.build().expect("building the book");
}

/// Requests the test server has started and not yet finished answering.
type Pending = Arc<Mutex<Vec<String>>>;

/// Serves `dir` over HTTP on a port of 127.0.0.1 the OS picks, one thread
/// per connection, one request per connection (`Connection: close`, so no
/// connection is ever left waiting); returns the base URL and the requests
/// under way. The server thread lives as long as the test process.
fn serve(dir: PathBuf) -> (String, Pending) {
    let listener = TcpListener::bind("127.0.0.1:0").expect("a port on loopback");
    let port = listener.local_addr().expect("its address").port();
    let pending: Pending = Arc::default();
    let under_way = Arc::clone(&pending);
    thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let dir = dir.clone();
            let pending = Arc::clone(&under_way);
            thread::spawn(move || respond(&dir, stream, &pending));
        }
    });
    (format!("http://127.0.0.1:{port}"), pending)
}

/// Reads one request head and answers with the file it names, or 404.
fn respond(dir: &Path, stream: TcpStream, pending: &Pending) {
    let _ = stream.set_read_timeout(Some(STEP));
    let mut reader = BufReader::new(&stream);
    let mut request_line = String::new();
    if reader.read_line(&mut request_line).is_err() {
        return;
    }
    let mut header = String::new();
    while reader.read_line(&mut header).is_ok_and(|n| n > 2) {
        header.clear();
    }
    let target = request_line
        .split_whitespace()
        .nth(1)
        .unwrap_or("/")
        .to_owned();
    pending.lock().unwrap().push(target.clone());
    let path = target.split(['?', '#']).next().unwrap_or("/");
    let mut file = dir.join(path.trim_start_matches('/'));
    if file.is_dir() {
        file.push("index.html");
    }
    let inside = file.canonicalize().is_ok_and(|f| f.starts_with(dir));
    let (status, kind, body) = match std::fs::read(&file) {
        Ok(bytes) if inside => ("200 OK", content_type(&file), bytes),
        _ => ("404 Not Found", "text/plain", b"not found".to_vec()),
    };
    let head = format!(
        "HTTP/1.1 {status}\r\nContent-Type: {kind}\r\nContent-Length: {}\r\n\
         Connection: close\r\n\r\n",
        body.len()
    );
    let mut stream = &stream;
    let _ = stream
        .write_all(head.as_bytes())
        .and_then(|()| stream.write_all(&body));
    let _ = stream.flush();
    let mut pending = pending.lock().unwrap();
    if let Some(at) = pending.iter().position(|p| *p == target) {
        pending.remove(at);
    }
}

fn content_type(file: &Path) -> &'static str {
    match file.extension().and_then(|e| e.to_str()).unwrap_or("") {
        "html" => "text/html; charset=utf-8",
        "js" => "text/javascript; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "json" => "application/json",
        "woff" => "font/woff",
        "woff2" => "font/woff2",
        "ttf" => "font/ttf",
        _ => "application/octet-stream",
    }
}

/// Everything the browser reported as going wrong, as sentences.
type Problems = Arc<Mutex<Vec<String>>>;

/// A tab that records every uncaught exception and every error logged
/// (a failed request, a blocked script) into `problems`.
fn watched_tab(browser: &Browser, problems: &Problems) -> Arc<Tab> {
    let tab = browser.new_tab().expect("a tab");
    tab.set_default_timeout(STEP);
    tab.enable_runtime().expect("Runtime events");
    tab.enable_log().expect("Log events");
    let problems = Arc::clone(problems);
    tab.add_event_listener(Arc::new(move |event: &Event| {
        let problem = match event {
            Event::RuntimeExceptionThrown(thrown) => {
                let details = &thrown.params.exception_details;
                let description = details
                    .exception
                    .as_ref()
                    .and_then(|e| e.description.clone())
                    .unwrap_or_else(|| details.text.clone());
                Some(format!(
                    "JavaScript error at {}:{}: {description}",
                    details.url.clone().unwrap_or_default(),
                    details.line_number
                ))
            }
            Event::LogEntryAdded(added) => {
                let entry = &added.params.entry;
                (format!("{:?}", entry.level) == "Error").then(|| {
                    format!(
                        "{} ({})",
                        entry.text,
                        entry.url.clone().unwrap_or_default()
                    )
                })
            }
            _ => None,
        };
        if let Some(problem) = problem {
            problems.lock().unwrap().push(problem);
        }
    }))
    .expect("an event listener");
    tab
}

/// Evaluates `script` in the page and returns its JSON value. (Objects
/// and arrays cross as JSON text, since the protocol hands back only a
/// reference to them.)
fn eval(tab: &Tab, script: &str) -> serde_json::Value {
    let wrapped = format!("(async () => JSON.stringify(await ({script})))()");
    let value = tab
        .evaluate(&wrapped, true)
        .unwrap_or_else(|e| panic!("evaluating {script}: {e:#}"))
        .value;
    match value {
        Some(serde_json::Value::String(json)) => {
            serde_json::from_str(&json).unwrap_or(serde_json::Value::Null)
        }
        _ => serde_json::Value::Null,
    }
}

/// Waits until `script` evaluates to true, or fails with `what`.
fn wait_until(tab: &Tab, script: &str, what: &str) {
    let start = Instant::now();
    while start.elapsed() < STEP {
        if eval(tab, script) == serde_json::Value::Bool(true) {
            return;
        }
        thread::sleep(Duration::from_millis(100));
    }
    panic!("{what} (waited {STEP:?} for `{script}`)");
}

/// The test server's requests under way, for the message of a page that
/// never finishes loading.
static PENDING: std::sync::OnceLock<Pending> = std::sync::OnceLock::new();

/// Loads `url` and waits until the page and everything on it has loaded.
fn open(tab: &Tab, url: &str) {
    tab.navigate_to(url)
        .unwrap_or_else(|e| panic!("loading {url}: {e:#}"));
    let loaded = format!(
        "location.href === {} && document.readyState === 'complete'",
        serde_json::Value::String(url.to_owned())
    );
    let start = Instant::now();
    while start.elapsed() < STEP {
        if eval(tab, &loaded) == serde_json::Value::Bool(true) {
            return;
        }
        thread::sleep(Duration::from_millis(100));
    }
    let state = eval(tab, "location.href + ' is ' + document.readyState");
    let pending = PENDING
        .get()
        .map(|p| p.lock().unwrap().clone())
        .unwrap_or_default();
    panic!(
        "{url} never finished loading within {STEP:?}: {state}; requests the server is \
         still answering: {pending:?}"
    );
}

/// Every HTML page of the built book, relative to it.
fn pages(dir: &Path) -> Vec<String> {
    let mut pages = Vec::new();
    let mut pending = vec![dir.to_path_buf()];
    while let Some(folder) = pending.pop() {
        for entry in std::fs::read_dir(&folder).expect("listing the book") {
            let path = entry.expect("an entry").path();
            if path.is_dir() {
                pending.push(path);
            } else if path.extension().is_some_and(|e| e == "html")
                && path.file_name().is_some_and(|n| n != "toc.html")
            {
                let relative = path.strip_prefix(dir).unwrap();
                pages.push(relative.to_string_lossy().replace('\\', "/"));
            }
        }
    }
    pages.sort();
    pages
}

/// Images on the page that did not load (or loaded as nothing).
const BROKEN_IMAGES: &str = "Array.from(document.images)
    .filter(i => !i.complete || i.naturalWidth === 0)
    .map(i => i.getAttribute('src'))";

#[test]
fn the_book_works_in_a_real_browser() {
    let Some(chromium) = chromium() else {
        return skip(
            "Chromium is not installed (apt-get install chromium; .ci/install-peers does it)",
        );
    };
    if !quiz_plugin_installed() {
        return skip(
            "mdbook-quiz is not installed (cargo install mdbook-quiz@0.5.0 --locked), so the \
             book cannot be built",
        );
    }
    deadline(LIMIT, "the book in Chromium", move || {
        visit_the_book(chromium)
    });
}

fn visit_the_book(chromium: PathBuf) {
    let started = Instant::now();
    let dir = tempfile::tempdir().expect("a temporary folder");
    let html = dir.path().join("html");
    build_book(&html);
    let html = html.canonicalize().expect("the book's folder");
    let (base, pending) = serve(html.clone());
    PENDING.set(pending).ok();

    let options = LaunchOptions::default_builder()
        .path(Some(chromium))
        .headless(true)
        // Chromium's sandbox refuses to run as root, which CI is.
        .sandbox(false)
        .window_size(Some((1280, 1000)))
        .idle_browser_timeout(LIMIT)
        .build()
        .expect("launch options");
    let browser = Browser::new(options).expect("starting Chromium");
    let problems: Problems = Arc::default();
    let tab = watched_tab(&browser, &problems);

    // 1. Every page: no JavaScript error, no failed request, no broken image.
    let mut failures = Vec::new();
    for page in pages(&html) {
        problems.lock().unwrap().clear();
        open(&tab, &format!("{base}/{page}"));
        let broken = eval(&tab, BROKEN_IMAGES);
        if !broken.as_array().is_some_and(|b| b.is_empty()) {
            failures.push(format!("{page}: images that did not load: {broken}"));
        }
        // Let late scripts (the quiz, search's index) report too.
        thread::sleep(Duration::from_millis(200));
        for problem in problems.lock().unwrap().drain(..) {
            failures.push(format!("{page}: {problem}"));
        }
    }
    assert!(
        failures.is_empty(),
        "in the browser:\n{}",
        failures.join("\n")
    );

    // 2. mdBook's search, as a reader uses it: the magnifier, then a word.
    open(&tab, &format!("{base}/index.html"));
    eval(
        &tab,
        "document.getElementById('mdbook-search-toggle').click(), true",
    );
    let diagnose = "(() => { try { return location.href + ' ' + JSON.stringify({search: typeof window.search, keys: Object.keys(window.search || {}), \
        wrapper: document.getElementById('mdbook-search-wrapper').className, \
        script: !!document.getElementById('mdbook-search-index'), \
        outer: document.getElementById('mdbook-searchbar-outer').className}) } \
        catch (e) { return location.href + ' ' + String(e) } })()";
    let start = Instant::now();
    while eval(
        &tab,
        "window.search !== undefined && window.search.index !== undefined",
    ) != serde_json::Value::Bool(true)
    {
        assert!(
            start.elapsed() < STEP,
            "mdBook's search index never loaded: {}",
            eval(&tab, diagnose)
        );
        thread::sleep(Duration::from_millis(100));
    }
    eval(
        &tab,
        "document.getElementById('mdbook-searchbar').focus(), true",
    );
    tab.type_str("ephemeral")
        .expect("typing into the search bar");
    wait_until(
        &tab,
        "document.querySelectorAll('#mdbook-searchresults li a').length > 0",
        "mdBook's search found nothing for \"ephemeral\"",
    );
    let hits = eval(
        &tab,
        "Array.from(document.querySelectorAll('#mdbook-searchresults li a')).map(a => a.getAttribute('href'))",
    );
    assert!(
        hits.to_string().contains("01-ports/ports.html"),
        "searching \"ephemeral\" should find the Ports page: {hits}"
    );

    check_quiz(&tab, &base);
    check_collapsibles(&tab, &base);
    check_diagrams_in_navy(&tab, &base, &html);

    let problems = problems.lock().unwrap();
    assert!(
        problems.is_empty(),
        "in the browser:\n{}",
        problems.join("\n")
    );
    eprintln!(
        "the book in Chromium: {:.1} s",
        started.elapsed().as_secs_f64()
    );
}

/// Chapter 1's quiz: start it, answer every question (the first option, or
/// a wrong value), and ask for the right answers: the review marks the
/// answers and shows each question's explanation.
fn check_quiz(tab: &Tab, base: &str) {
    open(tab, &format!("{base}/01-ports/quiz.html"));
    tab.wait_for_element(".mdbook-quiz button.start")
        .expect("the quiz's Start button")
        .click()
        .expect("clicking Start");
    let questions: toml::Table = toml::from_str(
        &std::fs::read_to_string(root().join("book/01-ports/quiz.toml"))
            .expect("the quiz"),
    )
    .expect("the quiz's TOML");
    let questions = questions["questions"]
        .as_array()
        .expect("questions")
        .clone();
    for (index, _) in questions.iter().enumerate() {
        wait_until(
            tab,
            "document.querySelector('.mdbook-quiz input[type=submit]') !== null",
            &format!("question {} of the quiz never showed", index + 1),
        );
        let choice = eval(
            tab,
            "document.querySelector('.mdbook-quiz input[type=radio], .mdbook-quiz input[type=checkbox]') !== null",
        );
        if choice == serde_json::Value::Bool(true) {
            tab.find_element(
                ".mdbook-quiz input[type=radio], .mdbook-quiz input[type=checkbox]",
            )
            .expect("an option")
            .click()
            .expect("clicking an option");
        } else {
            tab.find_element(".mdbook-quiz input[type=text], .mdbook-quiz textarea")
                .expect("an answer field")
                .type_into("0")
                .expect("typing an answer");
        }
        tab.find_element(".mdbook-quiz input[type=submit]")
            .expect("the Submit button")
            .click()
            .expect("clicking Submit");
    }
    wait_until(
        tab,
        "Array.from(document.querySelectorAll('.mdbook-quiz button')).some(b => b.textContent.includes('see the correct answers'))",
        "after the last question the quiz offers no answer review",
    );
    eval(
        tab,
        "Array.from(document.querySelectorAll('.mdbook-quiz button')).find(b => b.textContent.includes('see the correct answers')).click(), true",
    );
    let first_context = questions[0]["context"].as_str().expect("a context");
    let words: String = first_context
        .split_whitespace()
        .take(6)
        .collect::<Vec<_>>()
        .join(" ");
    let words = words.replace('`', "");
    wait_until(
        tab,
        &format!(
            "document.querySelector('.mdbook-quiz').innerText.replace(/\\s+/g, ' ').includes({})",
            serde_json::Value::String(words.clone())
        ),
        &format!(
            "the answer review does not show the first explanation (\"{words}\")"
        ),
    );
    let review = eval(tab, "document.querySelector('.mdbook-quiz').innerText");
    let review = review.as_str().unwrap_or_default();
    assert!(
        review.contains("Answer Review") && review.contains("questions correctly"),
        "the review shows no score: {review}"
    );
    assert!(
        review.contains("192.168.1.127"),
        "the review does not show the right answer to question 1: {review}"
    );
}

/// A teacher-notes block opens on a click; so does a hint in an exercise box.
fn check_collapsibles(tab: &Tab, base: &str) {
    open(tab, &format!("{base}/01-ports/index.html"));
    let teacher = "Array.from(document.querySelectorAll('main details')).find(d => d.querySelector('summary').textContent.includes('Teacher notes'))";
    assert_eq!(
        eval(tab, &format!("{teacher}.open")),
        serde_json::Value::Bool(false),
        "teacher notes should start closed"
    );
    eval(
        tab,
        &format!("{teacher}.querySelector('summary').scrollIntoView(), true"),
    );
    click_summary(tab, "Teacher notes");
    wait_until(
        tab,
        &format!("{teacher}.open"),
        "the teacher notes did not open",
    );
    let visible = eval(tab, &format!("{teacher}.innerText.length > 200"));
    assert_eq!(
        visible,
        serde_json::Value::Bool(true),
        "the teacher notes opened empty"
    );

    open(tab, &format!("{base}/01-ports/exercise.html"));
    let hint = "document.querySelector('details.netlab-hint')";
    assert_eq!(
        eval(tab, &format!("{hint}.open")),
        serde_json::Value::Bool(false)
    );
    click_summary(tab, "Hint 1");
    wait_until(
        tab,
        &format!("{hint}.open"),
        "the exercise box's first hint did not unfold",
    );
}

/// Clicks, as a reader would, the first `<summary>` whose text holds `text`.
fn click_summary(tab: &Tab, text: &str) {
    let summaries = tab.find_elements("main summary").expect("summaries");
    let summary = summaries
        .into_iter()
        .find(|s| s.get_inner_text().is_ok_and(|t| t.contains(text)))
        .unwrap_or_else(|| panic!("no <summary> saying {text:?}"));
    summary.scroll_into_view().expect("scrolling to it");
    summary.click().expect("clicking it");
}

/// Draws each diagram as the navy theme shows it (over the page's own
/// background) and measures the contrast between its background and its
/// ink: the darkest and lightest 0.3 % of its pixels (thin text covers
/// little of a diagram, but more than that).
const CONTRAST_OF_DIAGRAMS: &str = r#"(async () => {
  const luminance = ([r, g, b]) => {
    const lin = c => { c /= 255; return c <= 0.03928 ? c / 12.92 : Math.pow((c + 0.055) / 1.055, 2.4); };
    return 0.2126 * lin(r) + 0.7152 * lin(g) + 0.0722 * lin(b);
  };
  const ratio = (a, b) => (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
  const bg = getComputedStyle(document.body).backgroundColor.match(/\d+/g).map(Number);
  const results = [];
  for (const img of document.querySelectorAll('main img[src$=".svg"]')) {
    await img.decode().catch(() => {});
    const w = img.naturalWidth, h = img.naturalHeight;
    const canvas = document.createElement('canvas');
    canvas.width = w; canvas.height = h;
    const ctx = canvas.getContext('2d');
    ctx.fillStyle = `rgb(${bg[0]}, ${bg[1]}, ${bg[2]})`;
    ctx.fillRect(0, 0, w, h);
    ctx.drawImage(img, 0, 0, w, h);
    const data = ctx.getImageData(0, 0, w, h).data;
    const counts = new Map();
    const lums = [];
    for (let i = 0; i < data.length; i += 4) {
      const px = [data[i], data[i + 1], data[i + 2]];
      const l = luminance(px);
      lums.push(l);
      const key = Math.round(l * 50);
      counts.set(key, (counts.get(key) || 0) + 1);
    }
    lums.sort((a, b) => a - b);
    let paper = 0, most = -1;
    for (const [key, n] of counts) if (n > most) { most = n; paper = key / 50; }
    const dark = lums[Math.floor(lums.length * 0.003)];
    const light = lums[Math.floor(lums.length * 0.997)];
    results.push({ src: img.getAttribute('src'), contrast: Math.max(ratio(paper, dark), ratio(paper, light)) });
  }
  return results;
})()"#;

/// In the navy theme, every diagram of every chapter page is legible.
fn check_diagrams_in_navy(tab: &Tab, base: &str, html: &Path) {
    open(tab, &format!("{base}/index.html"));
    eval(tab, "localStorage.setItem('mdbook-theme', 'navy'), true");
    let mut checked = 0;
    let mut illegible = Vec::new();
    for page in pages(html) {
        if page == "print.html" || !page.contains('/') {
            continue;
        }
        let source = std::fs::read_to_string(html.join(&page)).unwrap_or_default();
        if !source.contains(".svg\"") {
            continue;
        }
        open(tab, &format!("{base}/{page}"));
        wait_until(
            tab,
            "document.documentElement.classList.contains('navy')",
            &format!("{page} is not in the navy theme"),
        );
        let results = eval(tab, CONTRAST_OF_DIAGRAMS);
        for result in results.as_array().cloned().unwrap_or_default() {
            checked += 1;
            let contrast = result["contrast"].as_f64().unwrap_or(0.0);
            if contrast < MIN_CONTRAST {
                illegible.push(format!(
                    "{page}: {} has a contrast of {contrast:.1} in the navy theme (at least \
                     {MIN_CONTRAST} is legible): give it a light panel of its own or draw with \
                     currentColor",
                    result["src"]
                ));
            }
        }
    }
    eval(tab, "localStorage.removeItem('mdbook-theme'), true");
    assert!(checked > 0, "no diagram was measured");
    assert!(illegible.is_empty(), "{}", illegible.join("\n"));
}
