fn main() {
    // The app's config lives at the repository root (see DESIGN.md's layout).
    tauri_build::try_build(tauri_build::Attributes::new().config_path("../tauri.conf.json"))
        .expect("tauri build step");
}
