//! For support and first looks: what this Tessera is (about), backups and restore, the
//! integrity checks (`doctor`), the demo café, this till's settings, files written whole, and
//! pasts written for tests and benchmarks.

pub mod about;
pub mod backup;
pub mod demo;
pub mod doctor;
pub mod files;
pub mod history;
pub mod printing;
pub mod seed;
pub mod settings;
