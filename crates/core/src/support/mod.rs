//! For support and first looks: backups and restore, the integrity checks (`doctor`), the
//! demo café, this till's settings, and files written whole.

pub mod backup;
pub mod demo;
pub mod doctor;
pub mod files;
pub mod settings;
