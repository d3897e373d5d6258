//! The walk over a rule's statements and expressions that every pass over the rule set uses
//! (path slots, keyed loops, scope and `prior` checks, the layout, lint), so that a new kind of
//! expression or statement is taught to one walker, not to each pass.

use super::ast::{Binder, Expr, ExprKind, Path, Stmt};

/// What a scoped walk meets, in evaluation order: a path, or a variable bound over a list
/// inside the expression (`any(x in LIST: …)`, `sum(… for x in LIST)`), which is in scope
/// until the matching `Unbind`.
pub enum Step<'a, P> {
    /// A path.
    Path(P),
    /// A variable comes into scope (after its list was walked).
    Bind(&'a str),
    /// The last variable bound goes out of scope.
    Unbind,
}

/// Writes a walker over the paths of an expression, for shared or mutable access: one body,
/// so the two cannot drift apart.
macro_rules! step_walker {
    ($(#[$doc:meta])* $name:ident $(, $mutability:tt)?) => {
        $(#[$doc])*
        pub fn $name<'a>(
            expr: &'a $($mutability)? Expr,
            f: &mut impl FnMut(Step<'a, &'a $($mutability)? Path>),
        ) {
            match &$($mutability)? expr.kind {
                ExprKind::Path(p) => f(Step::Path(p)),
                ExprKind::Number(_) | ExprKind::Text(_) => {}
                ExprKind::Call(_, args) => {
                    for a in args {
                        $name(a, f);
                    }
                }
                ExprKind::Neg(e) | ExprKind::Not(e) => $name(e, f),
                ExprKind::Arith(_, a, b)
                | ExprKind::Compare(_, a, b, _)
                | ExprKind::And(a, b)
                | ExprKind::Or(a, b)
                | ExprKind::Default(a, b)
                | ExprKind::Index { base: a, index: b, .. } => {
                    $name(a, f);
                    $name(b, f);
                }
                ExprKind::If(c, a, b) => {
                    $name(c, f);
                    $name(a, f);
                    $name(b, f);
                }
                ExprKind::Over(_, binder) => {
                    let Binder { var, list, body, filter, .. } = &$($mutability)? **binder;
                    $name(list, f);
                    f(Step::Bind(var.as_str()));
                    if let Some(filter) = filter {
                        $name(filter, f);
                    }
                    $name(body, f);
                    f(Step::Unbind);
                }
            }
        }
    };
}

step_walker!(
    /// Calls `f` on every path of an expression and on the variables it binds, in order.
    visit_steps
);
step_walker!(
    /// Calls `f` on every path of an expression, mutably (for passes that annotate paths), and
    /// on the variables it binds.
    visit_steps_mut,
    mut
);

/// Calls `f` on every path in an expression (also those of variables bound inside it).
pub fn visit_paths<'a>(expr: &'a Expr, f: &mut impl FnMut(&'a Path)) {
    visit_steps(expr, &mut |step| {
        if let Step::Path(p) = step {
            f(p)
        }
    });
}

/// Calls `f` on every path in an expression, mutably.
pub fn visit_paths_mut<'a>(expr: &'a mut Expr, f: &mut impl FnMut(&'a mut Path)) {
    visit_steps_mut(expr, &mut |step| {
        if let Step::Path(p) = step {
            f(p)
        }
    });
}

/// Calls `f` on every expression of `stmts` that a statement holds directly (a check and its
/// message's expressions, a `let` value, a `for` list, a `when` condition), in source order,
/// entering bodies.
pub fn visit_exprs<'a>(stmts: &'a [Stmt], f: &mut impl FnMut(&'a Expr)) {
    for stmt in stmts {
        match stmt {
            Stmt::Check(e, message) => {
                f(e);
                for part in message.iter().flatten() {
                    if let super::ast::MessagePart::Expr(e) = part {
                        f(e);
                    }
                }
            }
            Stmt::Let { value, .. } => f(value),
            Stmt::For { list, body, .. } => {
                f(list);
                visit_exprs(body, f);
            }
            Stmt::When { cond, body } => {
                f(cond);
                visit_exprs(body, f);
            }
        }
    }
}

/// The expressions directly inside `e`, in evaluation order (for a variable bound inside it:
/// the list, the filter, the body).
pub fn children(e: &Expr) -> Vec<&Expr> {
    match &e.kind {
        ExprKind::Path(_) | ExprKind::Number(_) | ExprKind::Text(_) => Vec::new(),
        ExprKind::Call(_, args) => args.iter().collect(),
        ExprKind::Neg(x) | ExprKind::Not(x) => vec![x],
        ExprKind::Arith(_, a, b)
        | ExprKind::Compare(_, a, b, _)
        | ExprKind::And(a, b)
        | ExprKind::Or(a, b)
        | ExprKind::Default(a, b)
        | ExprKind::Index {
            base: a, index: b, ..
        } => vec![a, b],
        ExprKind::If(c, a, b) => vec![c, a, b],
        ExprKind::Over(_, binder) => {
            let mut out = vec![&binder.list];
            out.extend(&binder.filter);
            out.push(&binder.body);
            out
        }
    }
}
