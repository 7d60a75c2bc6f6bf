//! Schedules for the yearly run (`broadside schedule --emit …`): a crontab line, a systemd
//! timer and service, or a CI workflow, each running `build --due`, which does nothing until
//! a campaign's build date and nothing once its kit is built.

use std::path::Path;

/// Which scheduler to write for.
#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub enum ScheduleKind {
    Cron,
    Systemd,
    GithubActions,
}

/// Appends one line (formatted like `println!`) to a `String`.
macro_rules! emit {
    ($out:ident) => {
        $out.push('\n')
    };
    ($out:ident, $($arg:tt)*) => {{
        $out.push_str(&format!($($arg)*));
        $out.push('\n');
    }};
}

/// The (month, day) build dates of the campaigns in `content`, sorted, without repeats;
/// December 1 when none declares one.
pub fn build_days(content: &Path) -> Vec<(u8, u8)> {
    // The CI workflow runs once a year on each campaign's build date (December 1 when none
    // is declared); `build --due` then does what is due.
    let mut build_days: Vec<(u8, u8)> = std::fs::read_dir(content)
        .map(|entries| {
            entries
                .flatten()
                .filter_map(|e| crate::model::campaign::Campaign::load(&e.path()).ok())
                .filter_map(|(c, _)| c.meta.build.map(|b| (b.month, b.day)))
                .collect()
        })
        .unwrap_or_default();
    if build_days.is_empty() {
        build_days.push((12, 1));
    }
    build_days.sort();
    build_days.dedup();
    build_days
}

/// The schedule of `kind` that runs `exe build --due` in the kit at `dir`; the CI workflow
/// runs on each of `build_days`.
pub fn text(kind: ScheduleKind, dir: &Path, exe: &Path, build_days: &[(u8, u8)]) -> String {
    let mut out = String::new();
    // Single-quoted for the shell (cron), double-quoted for systemd: paths may hold spaces.
    let quote =
        |p: &std::path::Path| format!("'{}'", p.display().to_string().replace('\'', "'\\''"));
    let (dir_q, exe_q) = (quote(dir), quote(exe));
    let (dir, exe) = (dir.display(), exe.display());
    match kind {
        ScheduleKind::Cron => {
            emit!(
                out,
                "# broadside: build the campaign kits when they are due (checks daily at 06:17)."
            );
            let log = format!("{}/broadside-due.log", dir).replace('\'', "'\\''");
            emit!(
                out,
                "17 6 * * * cd {dir_q} && {exe_q} build --due >> '{log}' 2>&1"
            );
        }
        ScheduleKind::Systemd => {
            emit!(out, "# /etc/systemd/system/broadside-due.service");
            emit!(out, "[Unit]");
            emit!(
                out,
                "Description=Build broadside campaign kits that are due"
            );
            emit!(out);
            emit!(out, "[Service]");
            emit!(out, "Type=oneshot");
            emit!(out, "WorkingDirectory={dir}");
            emit!(out, "ExecStart=\"{exe}\" build --due");
            emit!(out);
            emit!(out, "# /etc/systemd/system/broadside-due.timer");
            emit!(out, "[Unit]");
            emit!(
                out,
                "Description=Check daily whether a broadside kit is due"
            );
            emit!(out);
            emit!(out, "[Timer]");
            emit!(out, "OnCalendar=*-*-* 06:17:00");
            emit!(out, "Persistent=true");
            emit!(out);
            emit!(out, "[Install]");
            emit!(out, "WantedBy=timers.target");
        }
        ScheduleKind::GithubActions => {
            emit!(out, "# .github/workflows/broadside-yearly.yml");
            emit!(out, "name: broadside yearly kit");
            emit!(out, "on:");
            emit!(out, "  schedule:");
            for (month, day) in build_days {
                emit!(
                    out,
                    "    - cron: \"17 6 {day} {month} *\"   # yearly, on the build date ({month}/{day}), 06:17 UTC"
                );
            }
            emit!(out, "  workflow_dispatch: {{}}");
            emit!(out, "jobs:");
            emit!(out, "  build:");
            emit!(out, "    runs-on: ubuntu-latest");
            emit!(out, "    steps:");
            emit!(out, "      - uses: actions/checkout@v4");
            emit!(out, "      - run: cargo build --release --locked");
            emit!(out, "      - run: target/release/broadside build --due");
            emit!(out, "      - uses: actions/upload-artifact@v4");
            emit!(out, "        with:");
            emit!(out, "          name: broadside-kit");
            emit!(out, "          path: out/");
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_schedule_runs_build_due_in_the_kit() {
        let (dir, exe) = (Path::new("/srv/my kit"), Path::new("/usr/bin/broadside"));
        let cron = text(ScheduleKind::Cron, dir, exe, &[(12, 1)]);
        assert!(
            cron.contains("cd '/srv/my kit' && '/usr/bin/broadside' build --due"),
            "{cron}"
        );
        let systemd = text(ScheduleKind::Systemd, dir, exe, &[(12, 1)]);
        assert!(
            systemd.contains("WorkingDirectory=/srv/my kit\n"),
            "{systemd}"
        );
        assert!(systemd.contains("OnCalendar=*-*-* 06:17:00"));
        let ci = text(ScheduleKind::GithubActions, dir, exe, &[(11, 15), (12, 1)]);
        assert!(ci.contains("cron: \"17 6 15 11 *\""), "{ci}");
        assert!(ci.contains("cron: \"17 6 1 12 *\""), "{ci}");
    }
}
