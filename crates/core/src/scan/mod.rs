//! Reading what a scanner or a person typed: a member code or a card token, whatever the
//! keyboard layout of the PC (the scanner is a keyboard).

pub mod decode;
pub mod keyboard;
mod keyboard_tables;

pub use decode::{decode, readings, Decoded, Reading};
