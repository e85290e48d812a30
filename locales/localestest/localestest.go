// Package localestest checks that a front door asks the catalogs only for
// words that every language holds.
package localestest

import (
	"go/ast"
	"go/parser"
	"go/token"
	"html/template"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"text/template/parse"

	"github.com/redress-dev/redress"
	"github.com/redress-dev/redress/locales"
)

// Uses are the message ids a front door asks for: whole ids, and families,
// the beginnings of ids that it completes with a value ("pages.status_"
// and a status).
type Uses struct {
	IDs      map[string]bool
	Families map[string]bool
}

func (u *Uses) add(id string, family bool) {
	if u.IDs == nil {
		u.IDs, u.Families = map[string]bool{}, map[string]bool{}
	}
	if family {
		u.Families[id] = true
	} else {
		u.IDs[id] = true
	}
}

// InTemplates adds what the templates pass to the functions that read the
// catalog (funcs): a string, or (print "family" value). Anything else is
// an id no test can know, and fails t.
func (u *Uses) InTemplates(t testing.TB, tmpl *template.Template, funcs ...string) {
	t.Helper()
	for _, named := range tmpl.Templates() {
		if named.Tree == nil {
			continue
		}
		walk(named.Tree.Root, func(cmd *parse.CommandNode) {
			fn, ok := cmd.Args[0].(*parse.IdentifierNode)
			if !ok || !slices.Contains(funcs, fn.Ident) || len(cmd.Args) < 2 {
				return
			}
			switch arg := cmd.Args[1].(type) {
			case *parse.StringNode:
				u.add(arg.Text, false)
				return
			case *parse.PipeNode:
				if len(arg.Cmds) == 1 && len(arg.Cmds[0].Args) == 3 {
					printed := arg.Cmds[0].Args
					fn, isFunc := printed[0].(*parse.IdentifierNode)
					family, isString := printed[1].(*parse.StringNode)
					if isFunc && fn.Ident == "print" && isString {
						u.add(family.Text, true)
						return
					}
				}
			}
			t.Errorf("template %s: %s asks for an id that is neither a string nor (print \"family\" value)", named.Name(), cmd)
		})
	}
}

// walk calls visit on every command of the tree below node.
func walk(node parse.Node, visit func(*parse.CommandNode)) {
	switch n := node.(type) {
	case *parse.ListNode:
		if n != nil {
			for _, child := range n.Nodes {
				walk(child, visit)
			}
		}
	case *parse.ActionNode:
		walk(n.Pipe, visit)
	case *parse.TemplateNode:
		walk(n.Pipe, visit)
	case *parse.PipeNode:
		if n != nil {
			for _, cmd := range n.Cmds {
				walk(cmd, visit)
			}
		}
	case *parse.CommandNode:
		visit(n)
		for _, arg := range n.Args {
			walk(arg, visit)
		}
	case *parse.IfNode:
		walkBranch(&n.BranchNode, visit)
	case *parse.RangeNode:
		walkBranch(&n.BranchNode, visit)
	case *parse.WithNode:
		walkBranch(&n.BranchNode, visit)
	}
}

func walkBranch(b *parse.BranchNode, visit func(*parse.CommandNode)) {
	walk(b.Pipe, visit)
	walk(b.List, visit)
	walk(b.ElseList, visit)
}

// InSource adds the ids that the Go files of the package in dir (tests
// left out) pass to a call, to a catalog's method or to a helper that
// reads one: a string that begins with a section of the catalogs
// ("console.queue_mine"), or one that the code completes with + (a
// family).
func (u *Uses) InSource(t testing.TB, dir string) {
	t.Helper()
	sections := map[string]bool{}
	for _, id := range locales.For(redress.Languages[0]).IDs() {
		if section, _, ok := strings.Cut(id, "."); ok {
			sections[section] = true
		}
	}
	asked := func(expr ast.Expr) (string, bool) {
		lit, ok := expr.(*ast.BasicLit)
		if !ok || lit.Kind != token.STRING {
			return "", false
		}
		s, err := strconv.Unquote(lit.Value)
		section, _, dotted := strings.Cut(s, ".")
		return s, err == nil && dotted && sections[section]
	}
	paths, err := filepath.Glob(filepath.Join(dir, "*.go"))
	if err != nil {
		t.Fatal(err)
	}
	fset := token.NewFileSet()
	for _, path := range paths {
		if strings.HasSuffix(path, "_test.go") {
			continue
		}
		file, err := parser.ParseFile(fset, path, nil, parser.SkipObjectResolution)
		if err != nil {
			t.Fatal(err)
		}
		ast.Inspect(file, func(n ast.Node) bool {
			call, ok := n.(*ast.CallExpr)
			if !ok {
				return true
			}
			for _, arg := range call.Args {
				if id, ok := asked(arg); ok {
					u.add(id, false)
				} else if sum, ok := arg.(*ast.BinaryExpr); ok && sum.Op == token.ADD {
					if family, ok := asked(sum.X); ok {
						u.add(family, true)
					}
				}
			}
			return true
		})
	}
}

// Check fails t for every id that a language's catalog lacks. values lists
// what completes each family; a family used without values, or values of a
// family no longer used, fail too.
func (u Uses) Check(t testing.TB, values map[string][]string) {
	t.Helper()
	ids := map[string]bool{}
	for id := range u.IDs {
		ids[id] = true
	}
	for family := range u.Families {
		vals, ok := values[family]
		if !ok {
			t.Errorf("%q is completed by values that the test does not list", family)
		}
		for _, v := range vals {
			ids[family+v] = true
		}
	}
	for family := range values {
		if !u.Families[family] {
			t.Errorf("the test lists values of %q, which nothing asks for", family)
		}
	}
	if len(ids) == 0 {
		t.Error("no message id found: the search itself is broken")
	}
	for _, lang := range redress.Languages {
		words := locales.For(lang)
		for id := range ids {
			if !words.Has(id) {
				t.Errorf("%s: the catalog has no %q", lang, id)
			}
		}
	}
}
