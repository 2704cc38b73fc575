// Package vtl renders API Gateway mapping templates: the subset of Apache
// Velocity (VTL) and of API Gateway's $input, $context and $util that
// request and integration-response templates use.
//
// Supported: references ($x, $!x, ${x}, $x.y, $x.m(args), $x[i]),
// #set, #if/#elseif/#else/#end, #foreach (capped at 1000 iterations, as
// API Gateway caps it), ## and #* *# comments, #[[ ]]# unparsed blocks,
// string, number, boolean, list, range and map literals, the usual
// operators (also as and/or/not/eq/ne/lt/gt/le/ge), the common Java
// String/Map/List methods, $input.body, $input.json(path),
// $input.path(path), $input.params(), and $util.urlEncode, urlDecode,
// escapeJavaScript, base64Encode, base64Decode and parseJson.
//
// Behaviour chosen to match what API Gateway does rather than plain
// Velocity:
//   - a reference that resolves to null renders as the empty string;
//     a reference whose root variable is undefined, or that calls a method
//     the value lacks, renders as its own source text ($util.noSuch(1)
//     stays visible, as AWS documents "no error is shown");
//   - a directive alone on its line takes its line with it (Velocity 2
//     "lines" space gobbling), so #set lines add no blank lines to a
//     form-encoded body;
//   - string literals process no backslash escapes (".replaceAll("\\'", "'")"
//     is a regex matching a backslash and a quote, as in the AWS docs);
//   - $util.urlEncode is java.net.URLEncoder (space is '+', '*' kept, '~'
//     encoded) and $util.escapeJavaScript is Commons Lang 2's
//     StringEscapeUtils.escapeJavaScript (' becomes \', non-ASCII becomes
//     \uXXXX).
//
// A body that is not JSON is visible through $input.body; $input.path('$')
// returns it as a single string and $input.json('$') as a quoted JSON
// string, and any deeper path is null.
package vtl
