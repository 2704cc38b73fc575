// Package templates holds the embedded template tree of a generated project.
//
// Every file under project/ ends in .tmpl (rendered with text/template) or
// .raw (copied byte for byte); the suffix keeps Go files in the tree from
// being compiled as part of wsqgen. Which files a project gets, and who owns
// each one, is decided by the manifest in package generator, not here.
package templates

import "embed"

// FS is the template tree, rooted at "project".
//
//go:embed all:project
var FS embed.FS
