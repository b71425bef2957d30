//! A USB scanner configured for a US keyboard, plugged into this X display: it presses the
//! physical keys (X keycodes) that type a text on a US layout, whatever layout the PC is set
//! to, through the XTest extension, the way the real device's key reports arrive.

use std::process::Command;

use x11rb::connection::Connection;
use x11rb::protocol::xproto::{
    ConnectionExt as _, KEY_PRESS_EVENT, KEY_RELEASE_EVENT, MOTION_NOTIFY_EVENT,
};
use x11rb::protocol::xtest::ConnectionExt as _;

const SHIFT: u8 = 50;
const RETURN: u8 = 36;

/// The evdev keycode of the US key for `c` (0-9, A-Z), and whether Shift goes with it.
fn us_key(c: char) -> (u8, bool) {
    const ROWS: [(&str, u8); 3] = [("QWERTYUIOP", 24), ("ASDFGHJKL", 38), ("ZXCVBNM", 52)];
    if let Some(d) = c.to_digit(10) {
        return (if d == 0 { 19 } else { 9 + d as u8 }, false);
    }
    for (row, first) in ROWS {
        if let Some(i) = row.find(c) {
            return (first + i as u8, true);
        }
    }
    panic!("a US scanner payload holds only 0-9 A-Z, not {c:?}");
}

/// Sets the X keyboard layout (`fr`, `de`, `ro(std)`…), as a shop's PC would be configured.
pub fn set_layout(xkb_name: &str) {
    let (layout, variant) = match xkb_name.split_once('(') {
        Some((layout, variant)) => (layout, variant.trim_end_matches(')')),
        None => (xkb_name, ""),
    };
    let status = Command::new("setxkbmap")
        .args(["-layout", layout, "-variant", variant])
        .status()
        .expect("setxkbmap (x11-xkb-utils) is installed by `make e2e`");
    assert!(status.success(), "setxkbmap {xkb_name}");
}

/// Restores the US layout when dropped, so a failing test leaves the display as it found it.
pub struct LayoutGuard;

impl Drop for LayoutGuard {
    fn drop(&mut self) {
        let _ = Command::new("setxkbmap").args(["-layout", "us"]).status();
    }
}

/// Presses the keys of `text` then Return, back to back, with the pointer over (`x`, `y`) so
/// the window there has the keyboard.
pub fn scan(text: &str, (x, y): (i16, i16)) {
    let (conn, screen) = x11rb::connect(None).expect("the X display");
    let root = conn.setup().roots[screen].root;
    conn.xtest_fake_input(MOTION_NOTIFY_EVENT, 0, 0, root, x, y, 0)
        .expect("move the pointer");
    let tap = |keycode: u8| {
        conn.xtest_fake_input(KEY_PRESS_EVENT, keycode, 0, root, 0, 0, 0)
            .expect("key press");
        conn.xtest_fake_input(KEY_RELEASE_EVENT, keycode, 0, root, 0, 0, 0)
            .expect("key release");
    };
    for c in text.chars() {
        let (keycode, shift) = us_key(c);
        if shift {
            conn.xtest_fake_input(KEY_PRESS_EVENT, SHIFT, 0, root, 0, 0, 0)
                .expect("shift");
        }
        tap(keycode);
        if shift {
            conn.xtest_fake_input(KEY_RELEASE_EVENT, SHIFT, 0, root, 0, 0, 0)
                .expect("shift");
        }
    }
    tap(RETURN);
    // A round trip: when its reply arrives, the server has handled every key before it.
    conn.get_input_focus()
        .expect("send")
        .reply()
        .expect("the X server took the keys");
}
