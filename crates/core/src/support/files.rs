//! Files a manager asks for (cards as PDF, members as CSV, a member's data as JSON), written
//! whole or not at all.

use crate::error::{CoreError, Result};

/// Writes a finished file through a temporary file and a rename: a full disk or a crash never
/// leaves half a file where the manager expects it.
pub fn write_file(path: &std::path::Path, bytes: &[u8]) -> Result<()> {
    let map = |e: std::io::Error| match e.kind() {
        std::io::ErrorKind::StorageFull => CoreError::DiskFull,
        _ => CoreError::FileUnwritable {
            path: path.display().to_string(),
        },
    };
    let partial = path.with_extension("partial");
    std::fs::write(&partial, bytes).map_err(map)?;
    std::fs::rename(&partial, path).map_err(map)
}
