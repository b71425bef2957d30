//! What differs between the systems a till runs on, and nothing else: the rest of the app is
//! the same everywhere. (Printing goes through CUPS's `lp`, which Linux and macOS both have;
//! where it is missing, printing says so: `support::printing` in the core.)

use std::io;
use std::path::Path;
use std::process::Command;

/// Opens a file or folder with the program the system chooses for it (the PDF viewer, the file
/// manager), without waiting for it.
pub fn open_with_system(path: &Path) -> io::Result<()> {
    opener(path).spawn().map(drop)
}

#[cfg(target_os = "windows")]
fn opener(path: &Path) -> Command {
    let mut command = Command::new("cmd");
    command.args(["/C", "start", ""]).arg(path);
    command
}

#[cfg(target_os = "macos")]
fn opener(path: &Path) -> Command {
    let mut command = Command::new("open");
    command.arg(path);
    command
}

/// Linux and the BSDs: the desktop's own choice, through xdg-utils.
#[cfg(not(any(target_os = "windows", target_os = "macos")))]
fn opener(path: &Path) -> Command {
    let mut command = Command::new("xdg-open");
    command.arg(path);
    command
}

/// WebKitGTK reads this when it starts: set and not "0", it draws without GPU compositing.
#[cfg(not(any(target_os = "windows", target_os = "macos")))]
const WEBKIT_COMPOSITING_SWITCH: &str = "WEBKIT_DISABLE_COMPOSITING_MODE";

/// Every screen of the app is drawn by WebKit on the CPU, never through GPU compositing
/// (decision 0033): on a counter PC without a working GPU driver (a VM, a thin client, some
/// AMD and NVIDIA set-ups) WebKitGTK's compositing goes through software OpenGL or shows a blank
/// window. Drawn on the CPU, the idle app holds 235 MB instead of 321 MB for the same screens
/// (`make bench-start`, performance.md). Counter screens are forms, lists and short flashes.
///
/// WebKit's own switch, read once when it starts, rather than the webview's setting: Tauri
/// hands us a webview only once it is loading its page, and WebKit would then leave
/// compositing mode mid-load. Support can bring the GPU back with
/// `WEBKIT_DISABLE_COMPOSITING_MODE=0`, which is left as it is. Called first thing in `main`,
/// before any thread exists (the environment is not safe to change beside other threads).
///
/// Windows (WebView2) and macOS (WKWebView) have no such switch: nothing to do there.
pub fn draw_without_gpu() {
    #[cfg(not(any(target_os = "windows", target_os = "macos")))]
    if std::env::var_os(WEBKIT_COMPOSITING_SWITCH).is_none() {
        std::env::set_var(WEBKIT_COMPOSITING_SWITCH, "1");
    }
}
