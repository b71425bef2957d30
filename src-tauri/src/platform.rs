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
