//! The walk over a rule's statements and expressions that every pass over the rule set uses
//! (path slots, keyed loops, scope and `prior` checks), so that a new kind of expression or
//! statement is taught to one walker, not to each pass.

use super::ast::{Expr, ExprKind, Path, Stmt};

/// Writes a walker over the paths of an expression, for shared (`visit_paths`) or mutable
/// (`visit_paths_mut`) access: one body, so the two cannot drift apart.
macro_rules! path_walker {
    ($(#[$doc:meta])* $name:ident $(, $mutability:tt)?) => {
        $(#[$doc])*
        pub fn $name<'a>(expr: &'a $($mutability)? Expr, f: &mut impl FnMut(&'a $($mutability)? Path)) {
            match &$($mutability)? expr.kind {
                ExprKind::Path(p) => f(p),
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
                | ExprKind::Default(a, b) => {
                    $name(a, f);
                    $name(b, f);
                }
            }
        }
    };
}

path_walker!(
    /// Calls `f` on every path in an expression.
    visit_paths
);
path_walker!(
    /// Calls `f` on every path in an expression, mutably (for passes that annotate paths).
    visit_paths_mut,
    mut
);

/// Calls `f` on every expression of `stmts` that a statement holds directly (a check, a
/// `let` value, a `for` list, a `when` condition), in source order, entering bodies.
pub fn visit_exprs<'a>(stmts: &'a [Stmt], f: &mut impl FnMut(&'a Expr)) {
    for stmt in stmts {
        match stmt {
            Stmt::Check(e) => f(e),
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
