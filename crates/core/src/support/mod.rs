//! For support and first looks: backups and restore, the integrity checks (`doctor`), the
//! demo café, and this till's settings.

pub mod backup;
pub mod demo;
pub mod doctor;
pub mod settings;
