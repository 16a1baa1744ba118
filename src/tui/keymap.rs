//! Keys become actions once, here. Screens match on actions, never on key codes; the footer, the
//! F1 help and the command palette are generated from this one table.
//!
//! Every action has an F-key and a Ctrl twin (some SSH clients eat F-keys); nothing needs Alt
//! (Esc+key arrives split over slow links) nor Ctrl-H/I/M/[ (they are Backspace, Tab, Enter,
//! Esc). The only printable shortcuts, `/` and `?`, are not letters (a Cyrillic layout moves
//! letters) and are off while a text field has focus.

use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyEventKind, KeyModifiers};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Action {
    Help,
    Save,
    Search,
    ListValues,
    Reveal,
    Edit,
    NewPerson,
    CopyPrevious,
    Palette,
    Quit,
    OpenDuplicate,
    Back,
    Redraw,
    NextField,
    PrevField,
    Up,
    Down,
    PageUp,
    PageDown,
    Home,
    End,
    Open,
    /// Drop the selected draft; take the other clerk's version in a conflict.
    Discard,
    /// A screen's own further command (F12): what it does is the screen's meaning.
    More,
}

impl Action {
    /// The locale key of the action's name.
    pub fn key(self) -> &'static str {
        match self {
            Action::Help => "action.help",
            Action::Save => "action.save",
            Action::Search => "action.search",
            Action::ListValues => "action.list_values",
            Action::Reveal => "action.reveal",
            Action::Edit => "action.edit",
            Action::NewPerson => "action.new_person",
            Action::CopyPrevious => "action.copy_previous",
            Action::Palette => "action.palette",
            Action::Quit => "action.quit",
            Action::OpenDuplicate => "action.open_duplicate",
            Action::Back => "action.back",
            Action::Redraw => "action.redraw",
            Action::NextField => "action.next_field",
            Action::PrevField => "action.prev_field",
            Action::Up => "action.up",
            Action::Down => "action.down",
            Action::PageUp => "action.page_up",
            Action::PageDown => "action.page_down",
            Action::Home => "action.home",
            Action::End => "action.end",
            Action::Open => "action.open",
            Action::Discard => "action.discard",
            Action::More => "action.more",
        }
    }

    /// Actions the palette lists (movement keys are left to the help screen).
    pub const COMMANDS: [Action; 14] = [
        Action::Search,
        Action::More,
        Action::NewPerson,
        Action::Edit,
        Action::Save,
        Action::Reveal,
        Action::ListValues,
        Action::CopyPrevious,
        Action::OpenDuplicate,
        Action::Help,
        Action::Palette,
        Action::Redraw,
        Action::Back,
        Action::Quit,
    ];
}

/// What a screen calls the actions it gives its own meaning: the keymap stays one table, and a
/// screen with no use for, say, F8's "copy from the previous record" may make F8 a workflow
/// step ("phone note"). Footer, help and palette show the screen's name for the key.
pub type Meanings = Vec<(Action, &'static str)>;

/// The locale key of an action's name on a screen with these meanings.
pub fn name_key(meanings: &[(Action, &'static str)], a: Action) -> &'static str {
    meanings
        .iter()
        .find(|(x, _)| *x == a)
        .map(|(_, k)| *k)
        .unwrap_or(a.key())
}

/// Where the focus is: decides what Enter, the arrows and printable keys mean.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Context {
    /// Anywhere (F-keys and Ctrl keys).
    Global,
    /// A list or a card: printable keys are free for `/` and `?`.
    List,
    /// A one-line text field with a list under it (the search box).
    SearchBox,
    /// A form field: Enter, Tab and the arrows move between fields.
    Form,
    /// A multi-line note: Enter and the arrows edit the text; Tab leaves.
    Note,
}

impl Context {
    /// Whether printable keys are text here (then `/` and `?` are typed, not shortcuts).
    pub fn typing(self) -> bool {
        matches!(self, Context::SearchBox | Context::Form | Context::Note)
    }
}

#[derive(Debug, Clone, Copy)]
pub struct Binding {
    pub context: Context,
    pub code: KeyCode,
    pub mods: KeyModifiers,
    pub action: Action,
}

const fn b(context: Context, code: KeyCode, mods: KeyModifiers, action: Action) -> Binding {
    Binding {
        context,
        code,
        mods,
        action,
    }
}

const NONE: KeyModifiers = KeyModifiers::NONE;
const CTRL: KeyModifiers = KeyModifiers::CONTROL;
const SHIFT: KeyModifiers = KeyModifiers::SHIFT;
use Context::*;
use KeyCode::{BackTab, Char, Delete, Down, End, Enter, Esc, Home, PageDown, PageUp, Tab, Up, F};

/// The table. Order matters only for display: the first binding of an action is its main key.
pub const BINDINGS: &[Binding] = &[
    b(Global, F(1), NONE, Action::Help),
    b(Global, Char('g'), CTRL, Action::Help),
    b(Global, F(2), NONE, Action::Save),
    b(Global, Char('s'), CTRL, Action::Save),
    b(Global, F(3), NONE, Action::Search),
    b(Global, Char('f'), CTRL, Action::Search),
    b(Global, F(4), NONE, Action::ListValues),
    b(Global, Char('t'), CTRL, Action::ListValues),
    b(Global, F(5), NONE, Action::Reveal),
    b(Global, Char('r'), CTRL, Action::Reveal),
    b(Global, F(6), NONE, Action::Edit),
    b(Global, Char('e'), CTRL, Action::Edit),
    b(Global, F(7), NONE, Action::NewPerson),
    b(Global, Char('n'), CTRL, Action::NewPerson),
    b(Global, F(8), NONE, Action::CopyPrevious),
    b(Global, Char('d'), CTRL, Action::CopyPrevious),
    b(Global, F(9), NONE, Action::Palette),
    b(Global, Char('p'), CTRL, Action::Palette),
    b(Global, F(10), NONE, Action::Quit),
    b(Global, Char('q'), CTRL, Action::Quit),
    b(Global, F(11), NONE, Action::OpenDuplicate),
    b(Global, Char('o'), CTRL, Action::OpenDuplicate),
    b(Global, F(12), NONE, Action::More),
    b(Global, Char('b'), CTRL, Action::More),
    b(Global, Esc, NONE, Action::Back),
    b(Global, Char('c'), CTRL, Action::Back),
    b(Global, Char('l'), CTRL, Action::Redraw),
    b(Global, PageUp, NONE, Action::PageUp),
    b(Global, PageDown, NONE, Action::PageDown),
    // Lists and cards.
    b(List, Char('/'), NONE, Action::Search),
    b(List, Char('?'), NONE, Action::Help),
    b(List, Up, NONE, Action::Up),
    b(List, Down, NONE, Action::Down),
    b(List, Home, NONE, Action::Home),
    b(List, End, NONE, Action::End),
    b(List, Enter, NONE, Action::Open),
    b(List, Delete, NONE, Action::Discard),
    b(List, Char('k'), CTRL, Action::Discard),
    // The search box: the arrows move in the results, Enter opens, letters are typed.
    b(SearchBox, Up, NONE, Action::Up),
    b(SearchBox, Down, NONE, Action::Down),
    b(SearchBox, Enter, NONE, Action::Open),
    b(SearchBox, Tab, NONE, Action::Down),
    b(SearchBox, BackTab, SHIFT, Action::Up),
    // Forms.
    b(Form, Tab, NONE, Action::NextField),
    b(Form, Enter, NONE, Action::NextField),
    b(Form, Down, NONE, Action::NextField),
    b(Form, BackTab, SHIFT, Action::PrevField),
    b(Form, Up, NONE, Action::PrevField),
    b(Note, Tab, NONE, Action::NextField),
    b(Note, BackTab, SHIFT, Action::PrevField),
];

/// Some terminals send Shift-Tab with or without the Shift flag, and Shift with uppercase
/// letters; compare on what matters.
fn same(binding: &Binding, key: &KeyEvent) -> bool {
    if binding.code != key.code {
        return false;
    }
    match key.code {
        BackTab => true,
        Char(_) if binding.mods == NONE => !key.modifiers.intersects(CTRL | KeyModifiers::ALT),
        _ => binding.mods == key.modifiers,
    }
}

/// The action of a key press in a context, if any. Releases and repeats of releases are not
/// presses (some terminals report both).
pub fn resolve(context: Context, key: &KeyEvent) -> Option<Action> {
    if key.kind == KeyEventKind::Release {
        return None;
    }
    // Ctrl with a Cyrillic layout arrives as the Latin control code on every terminal we know;
    // if a terminal sends the Cyrillic letter with Ctrl, map it back by position (ЙЦУКЕН/ЯВЕРТЪ).
    let key = latin_twin(key);
    BINDINGS
        .iter()
        .find(|b| b.context == context && same(b, &key))
        .or_else(|| {
            BINDINGS
                .iter()
                .find(|b| b.context == Context::Global && same(b, &key))
        })
        .map(|b| b.action)
}

/// Maps Ctrl+Cyrillic letter to Ctrl+Latin letter on the same key (phonetic layout, the one
/// Bulgarian offices use most, then БДС for letters it does not cover).
fn latin_twin(key: &KeyEvent) -> KeyEvent {
    let mut k = *key;
    if let Char(c) = key.code {
        if key.modifiers.contains(CTRL) && !c.is_ascii() {
            let lower = c.to_lowercase().next().unwrap_or(c);
            let latin = match lower {
                'я' => 'q',
                'в' => 'w',
                'е' => 'e',
                'р' => 'r',
                'т' => 't',
                'п' => 'p',
                'а' => 'a',
                'с' => 's',
                'д' => 'd',
                'ф' => 'f',
                'л' => 'l',
                'н' => 'n',
                'о' => 'o',
                'ц' => 'c',
                _ => lower,
            };
            k.code = Char(latin);
        }
    }
    k
}

/// How a key is written in the footer and the help ("F2", "Ctrl-S", "Shift-Tab").
pub fn key_label(code: KeyCode, mods: KeyModifiers) -> String {
    let base = match code {
        F(n) => format!("F{n}"),
        Char(' ') => "Space".into(),
        Char(c) => c.to_uppercase().to_string(),
        Enter => "Enter".into(),
        Esc => "Esc".into(),
        Tab => "Tab".into(),
        BackTab => return "Shift-Tab".into(),
        Up => "↑".into(),
        Down => "↓".into(),
        PageUp => "PgUp".into(),
        PageDown => "PgDn".into(),
        Home => "Home".into(),
        End => "End".into(),
        Delete => "Del".into(),
        other => format!("{other:?}"),
    };
    if mods.contains(CTRL) {
        format!("Ctrl-{base}")
    } else {
        base
    }
}

/// The keys of an action in a context: F-keys first (the ones help and footers teach), then
/// the context's own keys, then the Ctrl twins.
pub fn keys_for(context: Context, action: Action) -> Vec<String> {
    let of = |ctx: Context| {
        BINDINGS
            .iter()
            .filter(move |b| b.action == action && b.context == ctx)
    };
    let (fkeys, ctrl): (Vec<&Binding>, Vec<&Binding>) =
        of(Context::Global).partition(|b| matches!(b.code, F(_)) || b.code == Esc);
    let mut out: Vec<String> = Vec::new();
    for b in fkeys.into_iter().chain(of(context)).chain(ctrl) {
        let l = key_label(b.code, b.mods);
        if !out.contains(&l) {
            out.push(l);
        }
    }
    out
}

/// The main key of an action, for the footer.
pub fn main_key(context: Context, action: Action) -> String {
    keys_for(context, action)
        .into_iter()
        .next()
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(code: KeyCode, mods: KeyModifiers) -> KeyEvent {
        KeyEvent::new(code, mods)
    }

    #[test]
    fn table_of_keys_in_contexts() {
        let cases = [
            (Global, F(1), NONE, Some(Action::Help)),
            (Form, F(2), NONE, Some(Action::Save)),
            (Form, Char('s'), CTRL, Some(Action::Save)),
            (List, Char('/'), NONE, Some(Action::Search)),
            (SearchBox, Char('/'), NONE, None),
            (Form, Char('?'), NONE, None),
            (List, Char('?'), NONE, Some(Action::Help)),
            (List, Enter, NONE, Some(Action::Open)),
            (SearchBox, Enter, NONE, Some(Action::Open)),
            (Form, Enter, NONE, Some(Action::NextField)),
            (Note, Enter, NONE, None),
            (Note, Down, NONE, None),
            (Form, Down, NONE, Some(Action::NextField)),
            (Form, BackTab, NONE, Some(Action::PrevField)),
            (Form, BackTab, SHIFT, Some(Action::PrevField)),
            (Note, Tab, NONE, Some(Action::NextField)),
            (Form, Esc, NONE, Some(Action::Back)),
            (List, F(10), NONE, Some(Action::Quit)),
            (Form, Char('q'), CTRL, Some(Action::Quit)),
            (Form, Char('я'), CTRL, Some(Action::Quit)),
            (Form, Char('q'), NONE, None),
            (Form, Char('s'), KeyModifiers::ALT, None),
            (List, Char('a'), NONE, None),
        ];
        for (ctx, code, mods, want) in cases {
            assert_eq!(
                resolve(ctx, &key(code, mods)),
                want,
                "{ctx:?} {code:?} {mods:?}"
            );
        }
    }

    #[test]
    fn releases_are_not_presses() {
        let mut k = key(F(2), NONE);
        k.kind = KeyEventKind::Release;
        assert_eq!(resolve(Form, &k), None);
    }

    #[test]
    fn every_command_has_an_f_key_and_a_ctrl_key() {
        for a in Action::COMMANDS {
            let keys = keys_for(Global, a);
            if a == Action::Back {
                assert!(keys.contains(&"Esc".to_string()));
                continue;
            }
            if a != Action::Redraw {
                assert!(keys.iter().any(|k| k.starts_with('F')), "{a:?}: {keys:?}");
            }
            assert!(
                keys.iter().any(|k| k.starts_with("Ctrl-")),
                "{a:?}: {keys:?}"
            );
        }
    }

    #[test]
    fn no_binding_needs_alt_or_an_ambiguous_ctrl_key() {
        for b in BINDINGS {
            assert!(!b.mods.contains(KeyModifiers::ALT), "{b:?}");
            if let Char(c) = b.code {
                if b.mods.contains(CTRL) {
                    assert!(!"himj[".contains(c), "Ctrl-{c} is another key: {b:?}");
                }
            }
        }
    }

    #[test]
    fn no_two_bindings_share_a_key_in_one_context() {
        for (i, a) in BINDINGS.iter().enumerate() {
            for b2 in &BINDINGS[i + 1..] {
                assert!(
                    !(a.context == b2.context && a.code == b2.code && a.mods == b2.mods),
                    "{a:?} and {b2:?}"
                );
            }
        }
    }

    #[test]
    fn labels() {
        assert_eq!(main_key(Form, Action::Save), "F2");
        assert_eq!(keys_for(Form, Action::Save), vec!["F2", "Ctrl-S"]);
        assert_eq!(main_key(List, Action::Search), "F3");
        assert_eq!(keys_for(List, Action::Search), vec!["F3", "/", "Ctrl-F"]);
        assert_eq!(main_key(Form, Action::NextField), "Tab");
    }
}
