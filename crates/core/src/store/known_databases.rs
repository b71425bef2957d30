//! The databases the desktop app has opened with a shop in them, listed in a small file of the
//! app's config folder. A database that was used before and is now missing (deleted, a disk
//! not mounted, a folder renamed) is then noticed at start and asked about, instead of silently
//! becoming a new, empty shop over the old one's name.

use std::path::{Path, PathBuf};

use crate::store::APP_IDENTIFIER;

pub struct KnownDatabases {
    file: PathBuf,
}

impl KnownDatabases {
    /// `<config dir>/eu.tessera.app/known-databases.txt`.
    pub fn in_config_dir() -> KnownDatabases {
        let dir = dirs::config_dir().unwrap_or_else(|| PathBuf::from("."));
        KnownDatabases::at(dir.join(APP_IDENTIFIER).join("known-databases.txt"))
    }

    pub fn at(file: PathBuf) -> KnownDatabases {
        KnownDatabases { file }
    }

    fn key(db: &Path) -> String {
        std::path::absolute(db)
            .unwrap_or_else(|_| db.to_path_buf())
            .display()
            .to_string()
    }

    fn entries(&self) -> Vec<String> {
        std::fs::read_to_string(&self.file)
            .map(|text| text.lines().map(str::to_string).collect())
            .unwrap_or_default()
    }

    fn write(&self, entries: &[String]) -> std::io::Result<()> {
        if let Some(dir) = self.file.parent() {
            std::fs::create_dir_all(dir)?;
        }
        let mut text = entries.join("\n");
        text.push('\n');
        std::fs::write(&self.file, text)
    }

    pub fn contains(&self, db: &Path) -> bool {
        let key = Self::key(db);
        self.entries().contains(&key)
    }

    /// Remembers that `db` holds a shop. Best effort: a read-only config folder only means a
    /// missing database would not be noticed.
    pub fn remember(&self, db: &Path) -> std::io::Result<()> {
        let key = Self::key(db);
        let mut entries = self.entries();
        if entries.contains(&key) {
            return Ok(());
        }
        entries.push(key);
        self.write(&entries)
    }

    /// The manager chose to start a new shop where the missing one was.
    pub fn forget(&self, db: &Path) -> std::io::Result<()> {
        let key = Self::key(db);
        let entries: Vec<String> = self.entries().into_iter().filter(|e| *e != key).collect();
        self.write(&entries)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_remembered_database_is_known_until_forgotten() {
        let dir = tempfile::tempdir().unwrap();
        let known = KnownDatabases::at(dir.path().join("config/known.txt"));
        let db = dir.path().join("shop/tessera.db");
        assert!(!known.contains(&db), "nothing is known at first");
        known.remember(&db).unwrap();
        known.remember(&db).unwrap();
        known.remember(&dir.path().join("other.db")).unwrap();
        assert!(known.contains(&db));
        let again = KnownDatabases::at(dir.path().join("config/known.txt"));
        assert!(again.contains(&db), "the list survives a restart");
        again.forget(&db).unwrap();
        assert!(!again.contains(&db));
        assert!(again.contains(&dir.path().join("other.db")));
    }
}
