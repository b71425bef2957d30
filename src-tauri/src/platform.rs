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

/// Every screen of the app is drawn by WebKit on the CPU, never through the GPU (decision 0033):
/// on a counter PC without a working GPU driver (a VM, a thin client, some AMD and NVIDIA
/// set-ups) WebKitGTK's accelerated compositing goes through software OpenGL or shows a blank
/// window. Drawn on the CPU, the idle app holds 240 MB instead of 321 MB for the same screens
/// (`make bench-start`, performance.md). Counter screens are forms, lists and short flashes.
/// Called as each webview is made, before its page has drawn anything.
pub fn draw_without_gpu<R: tauri::Runtime>(webview: &tauri::Webview<R>) {
    #[cfg(target_os = "linux")]
    {
        let set = webview.with_webview(|platform| {
            use webkit2gtk::{HardwareAccelerationPolicy, SettingsExt, WebViewExt};
            if let Some(settings) = platform.inner().settings() {
                settings.set_hardware_acceleration_policy(HardwareAccelerationPolicy::Never);
            }
        });
        if let Err(error) = set {
            tracing::warn!(%error, "WebKit's drawing could not be set to the CPU");
        }
    }
    #[cfg(not(target_os = "linux"))]
    let _ = webview;
}
