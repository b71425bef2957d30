//! Sending a PDF to a printer through the system's print service: CUPS, through its own
//! commands (`lp` to print, `lpstat` to list the printers), as every Linux desktop does. The
//! PDF is written first and kept: printing never replaces "Open" or "Show in folder".
//!
//! CUPS is found where the system says (`CUPS_SERVER`, `~/.cups/client.conf`, the local
//! scheduler); the printing test points `CUPS_SERVER` at a private scheduler whose queue writes
//! to a file.

use std::path::Path;
use std::process::Command;

use serde::Serialize;
#[cfg(feature = "ts")]
use ts_rs::TS;

use crate::error::{CoreError, Result};
use crate::store::Store;

/// A job CUPS accepted.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(TS))]
#[cfg_attr(feature = "ts", ts(export))]
pub struct PrintJob {
    /// CUPS's name for it, like `Office-12`.
    pub job: String,
    /// The printer asked for; none: the system's default.
    pub printer: Option<String>,
}

/// The printers the system knows, and its default.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(TS))]
#[cfg_attr(feature = "ts", ts(export))]
pub struct Printers {
    pub names: Vec<String>,
    pub default: Option<String>,
}

impl Store {
    /// Hands `file` to the print service: to `printer` when one is named, else to the till's
    /// printer (its settings), else to the system's default.
    pub async fn print_file(&self, file: &Path, printer: Option<&str>) -> Result<PrintJob> {
        let printer = match printer {
            Some(name) => Some(name.to_string()),
            None => self.till_settings().await?.printer,
        };
        send_to_printer(file, printer.as_deref())
    }
}

/// Hands `file` to the print service, for `printer` or the system's default one.
pub fn send_to_printer(file: &Path, printer: Option<&str>) -> Result<PrintJob> {
    let mut lp = Command::new("lp");
    if let Some(printer) = printer {
        lp.args(["-d", printer]);
    }
    lp.args(["-t", "Tessera", "--"]).arg(file);
    let output = lp.output().map_err(|_| CoreError::PrintingUnavailable)?;
    if !output.status.success() {
        return Err(CoreError::PrintFailed {
            detail: said(&output.stderr),
        });
    }
    // "request id is Office-12 (1 file(s))"
    let said_out = String::from_utf8_lossy(&output.stdout);
    let job = said_out
        .split_whitespace()
        .skip_while(|word| *word != "is")
        .nth(1)
        .unwrap_or_default()
        .to_string();
    Ok(PrintJob {
        job,
        printer: printer.map(str::to_string),
    })
}

/// The system's printers (none when there is no print service: printing then says so).
pub fn printers() -> Printers {
    let run = |args: &[&str]| {
        Command::new("lpstat")
            .args(args)
            .output()
            .ok()
            .filter(|o| o.status.success())
            .map(|o| String::from_utf8_lossy(&o.stdout).into_owned())
            .unwrap_or_default()
    };
    let names = run(&["-e"])
        .lines()
        .map(str::trim)
        .filter(|n| !n.is_empty())
        .map(str::to_string)
        .collect();
    // "system default destination: Office" (or "no system default destination")
    let default = run(&["-d"])
        .split_once(": ")
        .map(|(_, name)| name.trim().to_string())
        .filter(|name| !name.is_empty());
    Printers { names, default }
}

/// What CUPS said, one line, for the refusal's message.
fn said(stderr: &[u8]) -> String {
    let text = String::from_utf8_lossy(stderr);
    let line = text
        .lines()
        .find(|l| !l.trim().is_empty())
        .unwrap_or("")
        .trim();
    line.strip_prefix("lp: ")
        .unwrap_or(line)
        .chars()
        .take(200)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::said;

    #[test]
    fn cups_s_refusal_is_kept_to_its_first_line() {
        let stderr = b"lp: The printer or class does not exist.\n\nmore\n";
        assert_eq!(said(stderr), "The printer or class does not exist.");
    }
}
