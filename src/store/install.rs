//! Installing a project file on a worker's device: the forms it brings go into the form
//! library, its walk list and targets replace the device's, and its settings become the
//! device's project. All or nothing: everything is checked before the first write, and a
//! write refused half-way (a full storage) puts back what was there.

use super::exports::PROJECT_KEY;
use super::visits::{TARGETS_KEY, WALK_KEY};
use super::{AddError, Added, ExportStore, FormStore, KvStore, StoreError, VisitStore};
use crate::export::Project;
use crate::i18n::{Lang, Text};

/// What an install changed, for the message the worker reads.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Installed {
    /// Forms new to this device's library.
    pub forms_added: usize,
    /// Households of the walk list installed, if the project brought one.
    pub households: Option<usize>,
    /// Whether the project set the targets.
    pub targets: bool,
}

#[derive(Clone, Debug, PartialEq)]
pub enum InstallError {
    /// The file's own content is wrong (an included form that does not parse).
    Invalid(Text),
    /// The device has this form version with other questions.
    FormTaken {
        id: String,
        version: u32,
    },
    Store(StoreError),
}

impl From<StoreError> for InstallError {
    fn from(e: StoreError) -> Self {
        InstallError::Store(e)
    }
}

impl InstallError {
    pub fn describe(&self, lang: Lang) -> String {
        match self {
            InstallError::Invalid(t) => lang.pick(
                format!("项目文件有误：{}。设备上什么都没有改。", t.zh),
                format!("The project file is not valid: {}. Nothing on this device was changed.", t.en),
            ),
            InstallError::FormTaken { id, version } => lang.pick(
                format!("本设备已有问卷 {id} 第 {version} 版，但题目不同。请协调员给改动后的问卷升版本号。设备上什么都没有改。"),
                format!("This device has form {id} version {version} with other questions. Ask the coordinator to give the changed form a new version. Nothing on this device was changed."),
            ),
            InstallError::Store(StoreError::QuotaExceeded) => lang.pick(
                "存储空间已满，项目没有导入，设备上什么都没有改。请先导出并清理已导出的问卷。".into(),
                "Storage is full: the project was not imported and nothing on this device was changed. Export, then clear exported responses first.".into(),
            ),
            InstallError::Store(e) => lang.pick(
                format!("项目没有导入（{e}），设备上什么都没有改。"),
                format!("The project was not imported ({e}); nothing on this device was changed."),
            ),
        }
    }
}

/// Installs `p` (already read by `Project::parse`) on the device behind `kv`.
pub fn install<S: KvStore>(kv: &S, p: &Project) -> Result<Installed, InstallError> {
    let forms = FormStore::new(kv);
    let compiled = p.checked_forms().map_err(InstallError::Invalid)?;
    let mut new_forms = Vec::new();
    for (c, source) in &compiled {
        match forms.would_add(c) {
            Ok((Added::New, f)) => new_forms.push((f.id, f.version, c, source)),
            Ok((Added::AlreadyThere, _)) => {}
            Err(AddError::VersionTaken { id, version }) => {
                return Err(InstallError::FormTaken { id, version })
            }
            Err(AddError::Store(e)) => return Err(e.into()),
            Err(AddError::Unreadable(d)) => {
                return Err(InstallError::Invalid(Text::new(d.clone(), d)))
            }
        }
    }
    // What the writes below replace, to put back if one of them is refused.
    let before: Vec<(&str, Option<String>)> = [WALK_KEY, TARGETS_KEY, PROJECT_KEY]
        .into_iter()
        .map(|k| Ok((k, kv.get(k)?)))
        .collect::<Result<_, StoreError>>()?;
    let mut added: Vec<(String, u32)> = Vec::new();
    let result = (|| -> Result<(), StoreError> {
        for (id, version, c, source) in &new_forms {
            forms.add(c, source).map_err(|e| match e {
                AddError::Store(e) => e,
                other => StoreError::Other(format!("{other:?}")),
            })?;
            added.push((id.clone(), *version));
        }
        let visits = VisitStore::new(kv);
        if let Some(list) = p.walk_list() {
            visits.save_walk_list(&list)?;
        }
        if !p.targets.is_empty() {
            visits.save_targets(&p.targets)?;
        }
        ExportStore::new(kv).save_project(&p.settings())
    })();
    if let Err(e) = result {
        for (k, v) in before {
            let _ = match v {
                Some(v) => kv.set(k, &v),
                None => kv.remove(k),
            };
        }
        for (id, version) in added {
            let _ = forms.forget(&id, version);
        }
        return Err(e.into());
    }
    Ok(Installed {
        forms_added: new_forms.len(),
        households: (!p.households.is_empty()).then_some(p.households.len()),
        targets: !p.targets.is_empty(),
    })
}
