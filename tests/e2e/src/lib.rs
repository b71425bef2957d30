//! Drives the real Tessera desktop binary the way a cashier and a USB scanner do: tauri-driver
//! (which runs WebKitWebDriver) opens the app on a fresh temp database, and the tests click,
//! type and send fast keystrokes over WebDriver, on the X display the caller provides
//! (`make e2e` and `make test` run Xvfb). The `tessera` CLI reads the same database to check
//! that what the screen says is what the ledger holds.

#[path = "../../support/private_cups.rs"]
pub mod private_cups;
pub mod us_scanner;

use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use fantoccini::actions::{InputSource, KeyAction, KeyActions};
use fantoccini::elements::Element;
use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::{json, Value};

/// How long the UI may take to show something before a test gives up.
const UI_TIMEOUT: Duration = Duration::from_secs(15);
const POLL: Duration = Duration::from_millis(50);

pub const ENTER: char = '\u{e007}';
pub const CONTROL: char = '\u{e009}';

/// One app at a time: the sessions share the X display, and the machine has two cores.
/// (An async mutex: each test holds it across awaits for its whole session.)
static ONE_APP_AT_A_TIME: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

/// `target/debug`, found from this binary: a test (`target/debug/deps/desktop-…`) or a bench
/// (`target/debug/start_bench`).
pub fn target_debug() -> PathBuf {
    let exe = std::env::current_exe().expect("binary path");
    let dir = exe.parent().expect("binary folder");
    let dir = if dir.ends_with("deps") {
        dir.parent().expect("target/debug")
    } else {
        dir
    };
    dir.to_path_buf()
}

fn binary(name: &str) -> PathBuf {
    let path = target_debug().join(name);
    assert!(
        path.exists(),
        "{} is missing: build it first (`make e2e` does)",
        path.display()
    );
    path
}

fn tauri_driver() -> PathBuf {
    let on_path = std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .map(|dir| dir.join("tauri-driver"))
            .find(|candidate| candidate.exists())
    });
    let cargo_home = std::env::var_os("CARGO_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cargo")));
    on_path
        .or_else(|| cargo_home.map(|h| h.join("bin/tauri-driver")))
        .filter(|p| p.exists())
        .expect("tauri-driver is not installed: `make e2e` installs it")
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port on loopback")
        .port()
}

/// tauri-driver and, behind it, WebKitWebDriver. Stopped with SIGTERM, so that it takes
/// WebKitWebDriver down with it (SIGKILL would leave that holding its port).
pub struct Driver {
    child: Child,
    port: u16,
}

impl Driver {
    /// `cups_server`: the print service the app's `lp` talks to (a private one), if any.
    async fn start(log: &Path, cups_server: Option<&str>) -> Driver {
        let port = free_port();
        let native_port = free_port();
        let log_file = std::fs::File::create(log).expect("driver log");
        let mut command = Command::new(tauri_driver());
        if let Some(server) = cups_server {
            command.env("CUPS_SERVER", server);
        }
        let child = command
            .args([
                "--port",
                &port.to_string(),
                "--native-port",
                &native_port.to_string(),
            ])
            // No XDG user-dirs here: the app saves printed cards next to the test's database,
            // never in the real Documents folder of whoever runs the tests.
            .env("XDG_CONFIG_HOME", log.parent().expect("log folder"))
            .stdout(log_file.try_clone().expect("log handle"))
            .stderr(log_file)
            .stdin(Stdio::null())
            .spawn()
            .expect("start tauri-driver");
        let driver = Driver { child, port };
        let deadline = Instant::now() + UI_TIMEOUT;
        while TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(
                Instant::now() < deadline,
                "tauri-driver did not listen on {port}"
            );
            tokio::time::sleep(POLL).await;
        }
        driver
    }
}

impl Drop for Driver {
    fn drop(&mut self) {
        use nix::sys::signal::{kill, Signal};
        use nix::unistd::Pid;
        if let Ok(pid) = i32::try_from(self.child.id()) {
            let _ = kill(Pid::from_raw(pid), Signal::SIGTERM);
        }
        let _ = self.child.wait();
    }
}

/// Opens `application` (with `args`) in a WebDriver session; the driver's log goes to
/// `dir/tauri-driver.log`. Returns when the session stands: the app's process is running, its
/// page not necessarily shown yet. Keep the driver as long as the client.
pub async fn open_app(
    application: &Path,
    args: &[String],
    dir: &Path,
    cups_server: Option<&str>,
) -> (Driver, Client) {
    let capabilities = json!({
        "browserName": "wry",
        "tauri:options": {
            "application": application,
            "args": args,
        }
    });
    let Value::Object(capabilities) = capabilities else {
        unreachable!()
    };
    // A session can fail to start before the app has a say: the WebDriver behind
    // tauri-driver not listening yet, or a port taken between `free_port` and its bind (seen
    // once in CI: the proxy's answer cut short). Such a start is tried again with a new driver
    // on new ports; an app that cannot start fails every try.
    let mut tries = 1;
    loop {
        let driver = Driver::start(&dir.join("tauri-driver.log"), cups_server).await;
        match ClientBuilder::native()
            .capabilities(capabilities.clone())
            .connect(&format!("http://127.0.0.1:{}", driver.port))
            .await
        {
            Ok(client) => return (driver, client),
            Err(error) if tries < 3 => {
                eprintln!(
                    "{}: a WebDriver session failed to start ({error}); again",
                    application.display()
                );
                tries += 1;
            }
            Err(error) => panic!("a WebDriver session with the app: {error}"),
        }
    }
}

/// What the database holds before the app starts.
pub enum Start {
    /// Nothing: the app opens on its first-run screen.
    FirstRun,
    /// A shop (manager Ana, PIN 1234, English) with one program; the test signs in on screen.
    Shop,
    /// No database file, but the app's list of databases says one was used here before (it
    /// was deleted, or is on a disk that is not connected).
    KnownButMissing,
}

pub const MANAGER: &str = "Ana";
pub const PIN: &str = "1234";
/// Not a text of ours in any language, so the language test cannot mistake it for one.
pub const PROGRAM: &str = "Espresso club";
pub const REWARD: &str = "Espresso on the house";

pub struct Session {
    pub client: Client,
    pub db: PathBuf,
    scenario: String,
    step: u32,
    // Field order is drop order: the client first, then the driver, then the temp dir.
    _driver: Driver,
    dir: tempfile::TempDir,
    _one_at_a_time: tokio::sync::MutexGuard<'static, ()>,
}

impl Session {
    pub async fn launch(scenario: &str, start: Start) -> Session {
        Session::launch_with(scenario, start, None).await
    }

    /// As [`Session::launch`], the app's printing going to a private CUPS queue that writes
    /// each job to a file ([`private_cups::PrivateCups::output`]).
    pub async fn launch_with_printer(
        scenario: &str,
        start: Start,
    ) -> (Session, private_cups::PrivateCups) {
        let cups = private_cups::PrivateCups::start();
        let session = Session::launch_with(scenario, start, Some(&cups.server())).await;
        (session, cups)
    }

    async fn launch_with(scenario: &str, start: Start, cups_server: Option<&str>) -> Session {
        assert!(
            std::env::var_os("DISPLAY").is_some(),
            "no X display: run the end-to-end tests with `make e2e` (it starts Xvfb)"
        );
        let guard = ONE_APP_AT_A_TIME.lock().await;
        let dir = tempfile::Builder::new()
            .prefix("tessera-e2e-")
            .tempdir()
            .expect("temp dir");
        let db = dir.path().join("tessera.db");
        if let Start::Shop = start {
            make_shop(&db);
        }
        if let Start::KnownButMissing = start {
            // The app's config folder is the test's temp dir (XDG_CONFIG_HOME, see Driver).
            let config = dir.path().join("eu.tessera.app");
            std::fs::create_dir_all(&config).expect("config dir");
            std::fs::write(
                config.join("known-databases.txt"),
                format!("{}\n", db.display()),
            )
            .expect("known databases");
        }
        let (driver, client) = open_app(
            &binary("tessera-app"),
            &["--db".to_string(), db.display().to_string()],
            dir.path(),
            cups_server,
        )
        .await;
        let mut session = Session {
            client,
            db,
            scenario: scenario.to_string(),
            step: 0,
            _driver: driver,
            dir,
            _one_at_a_time: guard,
        };
        if let Start::Shop = start {
            session.sign_in().await;
        }
        session
    }

    pub async fn sign_in(&mut self) {
        self.el("signin-screen").await;
        self.fill("signin-pin", PIN).await;
        self.keys(&ENTER.to_string()).await;
        self.el("cashier-screen").await;
    }

    /// Ends the WebDriver session (which closes the app) and stops the driver.
    pub async fn finish(self) {
        self.client.clone().close().await.expect("close the app");
    }

    // ---- finding and touching things ----

    pub fn selector(testid: &str) -> String {
        format!("[data-testid='{testid}']")
    }

    /// The element with this `data-testid`, waiting for it to appear. An element being
    /// replaced at that moment (WebKit then answers "stale") counts as not there yet.
    pub async fn el(&self, testid: &str) -> Element {
        let selector = Self::selector(testid);
        let deadline = Instant::now() + UI_TIMEOUT;
        loop {
            match self.client.find(Locator::Css(&selector)).await {
                Ok(element) => return element,
                Err(e) if Instant::now() >= deadline => {
                    // What the screen showed instead, for whoever reads the failure.
                    let said = self.screen_text().await;
                    panic!(
                        "[{}] {testid} never appeared: {e}\nthe screen said: {said}",
                        self.scenario
                    )
                }
                Err(_) => tokio::time::sleep(POLL).await,
            }
        }
    }

    pub async fn all(&self, testid: &str) -> Vec<Element> {
        self.client
            .find_all(Locator::Css(&Self::selector(testid)))
            .await
            .unwrap_or_default()
    }

    pub async fn exists(&self, testid: &str) -> bool {
        !self.all(testid).await.is_empty()
    }

    /// Clicks the element, scrolled into view first (WebKit's driver does not scroll to it).
    pub async fn click(&self, testid: &str) {
        let element = self.el(testid).await;
        let script = format!(
            "document.querySelector(\"{}\").scrollIntoView({{block: 'center'}})",
            Self::selector(testid)
        );
        self.client
            .execute(&script, vec![])
            .await
            .expect("scroll the element into view");
        element
            .click()
            .await
            .unwrap_or_else(|e| panic!("click {testid}: {e:?}"));
    }

    /// An item of the header's menu (language, manager screen, sign-out): opens the menu first
    /// if it is closed.
    pub async fn menu(&self, testid: &str) {
        if !self.exists("menu-panel").await {
            self.click("menu-button").await;
        }
        self.click(testid).await;
    }

    /// Chooses the till's language in the header's menu and waits until the page speaks it
    /// (the menu stays open).
    pub async fn switch_language(&self, language: &str) {
        self.open_menu().await;
        self.select("language-select", language).await;
        self.eventually(&format!("the page in {language}"), async |s| {
            let lang = s
                .client
                .execute("return document.documentElement.lang", vec![])
                .await
                .ok()?;
            (lang == language).then_some(())
        })
        .await;
    }

    /// Opens the header's menu (and leaves it open).
    pub async fn open_menu(&self) {
        if !self.exists("menu-panel").await {
            self.click("menu-button").await;
        }
        self.el("menu-panel").await;
    }

    /// Types into a field, brought to the middle of the screen first: a field below the fold or
    /// under the pinned action bar is not one a person could type into either.
    pub async fn fill(&self, testid: &str, text: &str) {
        let field = self.el(testid).await;
        let script = format!(
            "document.querySelector(\"{}\").scrollIntoView({{block: 'center'}})",
            Self::selector(testid)
        );
        self.client
            .execute(&script, vec![])
            .await
            .expect("scroll the field into view");
        field.clear().await.expect("clear field");
        field.send_keys(text).await.expect("type into field");
    }

    /// The element's text as a person reads it (`innerText`). Read by script, not with
    /// WebDriver's element text, which WebKit answers with "" for elements inside a clipping
    /// (overflow: hidden) box or while a flash animation plays; looked up afresh each time, as
    /// the UI re-creates some elements on purpose (the feedback banner, to replay its flash).
    pub async fn text(&self, testid: &str) -> String {
        let script = format!(
            "const e = document.querySelector(\"{}\"); return e ? e.innerText.trim() : null;",
            Self::selector(testid)
        );
        self.eventually(&format!("the text of {testid}"), async |s| {
            s.client
                .execute(&script, vec![])
                .await
                .ok()?
                .as_str()
                .map(str::to_string)
        })
        .await
    }

    pub async fn attr(&self, testid: &str, name: &str) -> Option<String> {
        self.eventually(&format!("attribute {name} of {testid}"), async |s| {
            s.el(testid).await.attr(name).await.ok()
        })
        .await
    }

    pub async fn select(&self, testid: &str, value: &str) {
        self.el(testid)
            .await
            .select_by_value(value)
            .await
            .unwrap_or_else(|e| panic!("select {value} in {testid}: {e}"));
    }

    /// Everything the screen says, as a person reads it.
    /// The page's text; when the app itself is gone, a line saying so (a failure message
    /// built from it then names the real cause).
    pub async fn screen_text(&self) -> String {
        let text = self
            .client
            .execute("return document.body.innerText", vec![])
            .await
            .map(|text| text.as_str().unwrap_or_default().to_string())
            .unwrap_or_else(|gone| format!("(no page: {gone})"));
        format!("{text}\n{}", self.database_files())
    }

    /// Which files of this session's database the app holds open and maps (the `-wal` and
    /// `-shm` beside it, or copies of them deleted from under it): for whoever reads a failure
    /// that the app reported as a storage error.
    fn database_files(&self) -> String {
        let folder = self.dir.path().display().to_string();
        let Ok(out) = Command::new("pgrep")
            .arg("-f")
            .arg(self.db.as_os_str())
            .output()
        else {
            return String::new();
        };
        let mut lines = Vec::new();
        for pid in String::from_utf8_lossy(&out.stdout).split_whitespace() {
            let fds = std::fs::read_dir(format!("/proc/{pid}/fd"))
                .into_iter()
                .flatten()
                .flatten()
                .filter_map(|fd| std::fs::read_link(fd.path()).ok())
                .map(|target| target.display().to_string())
                .filter(|target| target.contains(&folder));
            let maps = std::fs::read_to_string(format!("/proc/{pid}/maps")).unwrap_or_default();
            let mapped = maps
                .lines()
                .filter(|line| line.contains(&folder))
                .filter_map(|line| {
                    line.split_once('/')
                        .map(|(_, path)| format!("mapped /{path}"))
                });
            let mut files: Vec<String> = fds.chain(mapped).collect();
            files.sort();
            files.dedup();
            lines.push(format!("process {pid}: {}", files.join(", ")));
        }
        lines.join("\n")
    }

    /// Waits until `probe` returns something: the UI updates asynchronously after each action.
    pub async fn eventually<T>(
        &self,
        what: &str,
        mut probe: impl AsyncFnMut(&Session) -> Option<T>,
    ) -> T {
        let deadline = Instant::now() + UI_TIMEOUT;
        loop {
            if let Some(value) = probe(self).await {
                return value;
            }
            if Instant::now() >= deadline {
                // What the screen showed when the wait gave up, for whoever reads the failure.
                let said = self.screen_text().await;
                let search = self
                    .client
                    .execute(
                        "const e = document.querySelector('[data-testid=search-input]'); \
                         const s = document.querySelector('[data-testid=scan-armed]'); \
                         return (e ? e.value : '') + ' | last scan: ' + \
                                (s ? s.dataset.lastText : '') + \
                                (window.e2eKeys ? ' | keys since the scan (key@ms): ' + \
                                                  window.e2eKeys.join(' ') : '');",
                        vec![],
                    )
                    .await
                    .unwrap_or_default();
                if let Ok(png) = self.screenshot().await {
                    let dir = target_debug()
                        .parent()
                        .expect("target")
                        .join("e2e-screenshots");
                    let _ = std::fs::create_dir_all(&dir);
                    let _ = std::fs::write(dir.join(format!("FAILED-{}.png", self.scenario)), png);
                }
                panic!(
                    "[{}] timed out waiting for {what}\nsearch field: {search}\nscreen:\n{said}",
                    self.scenario
                );
            }
            tokio::time::sleep(POLL).await;
        }
    }

    // ---- the keyboard, as a scanner or a person uses it ----

    /// Key presses sent to whatever has the focus, back to back with no pause: a scanner's burst.
    pub async fn keys(&self, keys: &str) {
        let mut actions = KeyActions::new("keyboard".into());
        for key in keys.chars() {
            actions = actions
                .then(KeyAction::Down { value: key })
                .then(KeyAction::Up { value: key });
        }
        self.client
            .perform_actions(actions)
            .await
            .expect("key presses");
    }

    /// A USB scanner reading a card: the focus is taken off any field first (the cashier may be
    /// anywhere), then the code arrives as fast key presses ending in Return, through the X
    /// server (XTest) like a real scanner's key reports, so their timing is the device's, not
    /// WebDriver's. Returns once the screen has taken the scan in.
    pub async fn scan(&self, code: &str) {
        self.client
            .execute(
                "document.activeElement && document.activeElement.blur()",
                vec![],
            )
            .await
            .expect("blur");
        // Each key's time as the page saw it, for the failure message: a burst the till did
        // not take for a scan shows there how far apart its keys arrived.
        self.client
            .execute(
                "window.e2eKeys = []; \
                 if (!window.e2eKeyRecorder) { \
                   window.e2eKeyRecorder = (e) => window.e2eKeys.push(e.key + '@' + e.timeStamp); \
                   window.addEventListener('keydown', window.e2eKeyRecorder, { capture: true }); \
                 }",
                vec![],
            )
            .await
            .expect("record the keys");
        let before = self.attr("scan-armed", "data-scans").await;
        us_scanner::scan(code, (400, 300));
        self.eventually(&format!("the scan of {code} to arrive"), async |s| {
            let now = s.attr("scan-armed", "data-scans").await;
            (now != before).then_some(())
        })
        .await;
    }

    pub async fn ctrl(&self, key: char) {
        let actions = KeyActions::new("keyboard".into())
            .then(KeyAction::Down { value: CONTROL })
            .then(KeyAction::Down { value: key })
            .then(KeyAction::Up { value: key })
            .then(KeyAction::Up { value: CONTROL });
        self.client
            .perform_actions(actions)
            .await
            .expect("ctrl key");
    }

    // ---- evidence ----

    /// The window as a PNG. The app draws without GPU compositing (decision 0033), and then
    /// WebKit's WebDriver answers a screenshot only after the page next paints, which a still
    /// screen never does (a test waited 45 s, another for ever). So a pixel in the corner,
    /// never clicked and too faint to see, changes every frame while the screenshot is taken.
    async fn screenshot(&self) -> Result<Vec<u8>, fantoccini::error::CmdError> {
        const TICK: &str = "const tick = document.createElement('div'); \
            tick.id = 'e2e-paint-tick'; \
            tick.style.cssText = 'position: fixed; left: 0; top: 0; width: 1px; height: 1px; \
                                  pointer-events: none; z-index: 2147483647'; \
            document.body.append(tick); \
            let on = false; \
            window.e2ePaintTick = setInterval(() => { \
              on = !on; \
              tick.style.background = on ? 'rgb(0 0 0 / 0.01)' : 'transparent'; \
            }, 16);";
        const UNTICK: &str = "clearInterval(window.e2ePaintTick); \
            document.getElementById('e2e-paint-tick')?.remove();";
        self.client.execute(TICK, vec![]).await?;
        let png = self.client.screenshot().await;
        self.client.execute(UNTICK, vec![]).await?;
        png
    }

    /// Saves a screenshot as `target/e2e-screenshots/<scenario>-<NN>-<name>.png`.
    pub async fn shot(&mut self, name: &str) {
        self.step += 1;
        let png = self.screenshot().await.expect("screenshot");
        let dir = target_debug()
            .parent()
            .expect("target")
            .join("e2e-screenshots");
        std::fs::create_dir_all(&dir).expect("screenshot dir");
        let file = dir.join(format!("{}-{:02}-{name}.png", self.scenario, self.step));
        std::fs::write(&file, png).expect("write screenshot");
    }

    /// `tessera --db <this session's db> --json <args>`, which must succeed.
    pub fn cli(&self, args: &[&str]) -> Value {
        cli_at(&self.db, args)
    }

    /// Every event in the ledger, counted straight from the database file.
    pub async fn event_count(&self) -> i64 {
        let url = format!("sqlite://{}?mode=ro", self.db.display());
        let pool = sqlx::SqlitePool::connect(&url).await.expect("read the db");
        let count = sqlx::query_scalar("SELECT count(*) FROM event")
            .fetch_one(&pool)
            .await
            .expect("count events");
        pool.close().await;
        count
    }

    /// Enrols a member through the CLI; their code.
    pub fn enroll(&self, name: &str) -> String {
        let member = self.cli(&["member", "add", "--name", name]);
        member["code"].as_str().expect("code").to_string()
    }

    /// (stamps, rewards) of the member's first card, as the ledger says.
    pub fn ledger_card(&self, code: &str) -> (i64, i64) {
        let scan: Value = self.cli(&["scan", code]);
        let card = &scan["cards"][0];
        (
            card["punches"].as_i64().expect("punches"),
            card["rewards_available"].as_i64().expect("rewards"),
        )
    }

    /// The kind of the message on screen (success, reward, refusal, question, info), if any.
    pub async fn feedback_kind(&self) -> Option<String> {
        let banner = self.all("feedback").await.into_iter().next()?;
        banner.attr("data-kind").await.ok()?
    }

    pub fn temp_dir(&self) -> &Path {
        self.dir.path()
    }
}

impl Drop for Session {
    /// When a test fails before `finish`, the app must not outlive it: it is the one process
    /// whose command line holds this session's database path.
    fn drop(&mut self) {
        let _ = Command::new("pkill")
            .arg("-TERM")
            .arg("-f")
            .arg(self.db.as_os_str())
            .status();
    }
}

/// A shop (manager [`MANAGER`], PIN [`PIN`], English) with one program, made through the CLI
/// in a new database at `db`.
pub fn make_shop(db: &Path) {
    cli_at(
        db,
        &[
            "init",
            "--shop",
            "Café Lumière",
            "--manager",
            MANAGER,
            "--pin",
            PIN,
        ],
    );
    cli_at(
        db,
        &[
            "program",
            "add",
            "--name",
            PROGRAM,
            "--punches",
            "9",
            "--reward",
            REWARD,
        ],
    );
}

pub fn cli_at(db: &Path, args: &[&str]) -> Value {
    let output = Command::new(binary("tessera"))
        .arg("--db")
        .arg(db)
        .arg("--json")
        .args(args)
        .env("LANG", "C")
        // The shop's manager (Start::Shop), as a script would sign in.
        .env("TESSERA_STAFF", MANAGER)
        .env("TESSERA_PIN", PIN)
        .output()
        .expect("run tessera");
    let json: Value = serde_json::from_slice(&output.stdout).unwrap_or(Value::Null);
    assert!(
        output.status.success(),
        "tessera {args:?} failed: {json}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    json
}

/// Every QR code in the first page of `pdf`, rendered at 300 dpi (poppler's `pdftoppm`) and
/// read with zbar's `zbarimg`, as a phone or a scanner would read the printed paper.
pub fn qr_codes_in_pdf(pdf: &[u8], dir: &Path) -> Vec<String> {
    let file = dir.join("printed.pdf");
    std::fs::write(&file, pdf).expect("the printed PDF");
    let png = dir.join("printed");
    let rendered = Command::new("pdftoppm")
        .args(["-r", "300", "-png", "-singlefile"])
        .arg(&file)
        .arg(&png)
        .status()
        .expect("pdftoppm (poppler-utils)");
    assert!(rendered.success(), "pdftoppm failed");
    let read = Command::new("zbarimg")
        .args(["-q", "--raw"])
        .arg(png.with_extension("png"))
        .output()
        .expect("zbarimg (zbar-tools)");
    String::from_utf8_lossy(&read.stdout)
        .lines()
        .map(str::to_string)
        .collect()
}
