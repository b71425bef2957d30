//! For support and first looks: backups and restore, the integrity checks (`doctor`) and
//! the demo café.

pub mod backup;
pub mod demo;
pub mod doctor;
