//! For support and first looks: the integrity checks (`doctor`) and the demo café.

pub mod demo;
pub mod doctor;
