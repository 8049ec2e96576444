//! docs/check.md stays true: its rule table is the rule registry, rule for rule.

use shipwheel_dist::rules::all_rules;

const START: &str = "<!-- rules:start -->";
const END: &str = "<!-- rules:end -->";

fn table() -> String {
    let mut out = String::from("| Id | Name | Severity | What it checks |\n|---|---|---|---|\n");
    for r in all_rules() {
        out.push_str(&format!(
            "| {} | `{}` | {} | {} |\n",
            r.id,
            r.name,
            r.severity.as_str(),
            r.summary
                .replace('|', "\\|")
                .replace('\n', " ")
                .replace("__", "\\_\\_")
        ));
    }
    out
}

#[test]
fn docs_list_every_rule() {
    let path = test_support::workspace_root().join("docs/check.md");
    let text = std::fs::read_to_string(&path).expect("docs/check.md");
    let (Some(s), Some(e)) = (text.find(START), text.find(END)) else {
        panic!("docs/check.md lacks the {START} ... {END} markers");
    };
    let current = text[s + START.len()..e].trim();
    let wanted = table();
    if current != wanted.trim() {
        if std::env::var_os("SHIPWHEEL_UPDATE_DOCS").is_some() {
            let new = format!("{}{START}\n{wanted}{}", &text[..s], &text[e..]);
            std::fs::write(&path, new).expect("write docs/check.md");
        } else {
            panic!(
                "the rule table in docs/check.md is out of date: run \
                 `SHIPWHEEL_UPDATE_DOCS=1 cargo test -p shipwheel --test check_docs`"
            );
        }
    }
}
