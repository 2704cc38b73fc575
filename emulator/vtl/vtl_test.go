package vtl

import "testing"

func render(t *testing.T, src, body string, ctx *Map) string {
	t.Helper()
	tmpl, err := Parse(src)
	if err != nil {
		t.Fatalf("Parse(%q): %v", src, err)
	}
	out, err := tmpl.Render(Vars(body, ctx))
	if err != nil {
		t.Fatalf("Render(%q): %v", src, err)
	}
	return out
}

func TestURLEncodeIsJavaURLEncoder(t *testing.T) {
	cases := map[string]string{
		"":                     "",
		"abcXYZ019":            "abcXYZ019",
		"a b":                  "a+b",
		".-*_":                 ".-*_", // URLEncoder keeps these four
		"~":                    "%7E",
		"& = + % # ' \" \\":    "%26+%3D+%2B+%25+%23+%27+%22+%5C",
		"line1\nline2\r\n":     "line1%0Aline2%0D%0A",
		"😀":                    "%F0%9F%98%80",
		"é":                    "%C3%A9",
		"L0SM9cOFvHcCIhw=":     "L0SM9cOFvHcCIhw%3D",
		"/?:@!$'()":            "%2F%3F%3A%40%21%24%27%28%29",
		"{\"action\":\"x y\"}": "%7B%22action%22%3A%22x+y%22%7D",
	}
	for in, want := range cases {
		if got := URLEncode(in); got != want {
			t.Errorf("URLEncode(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestURLDecodeRoundTrip(t *testing.T) {
	for _, s := range []string{"", "a b+c", "& = + % # ' \" \\ \n 😀 ~*"} {
		got, err := URLDecode(URLEncode(s))
		if err != nil || got != s {
			t.Errorf("URLDecode(URLEncode(%q)) = %q, %v", s, got, err)
		}
	}
	if _, err := URLDecode("%zz"); err == nil {
		t.Error("URLDecode accepted a malformed escape")
	}
}

func TestEscapeJavaScriptIsCommonsLang2(t *testing.T) {
	cases := map[string]string{
		`it's "x" \ /`: `it\'s \"x\" \\ \/`,
		"a\nb\tc\rd":   `a\nb\tc\rd`,
		"\x01":         `\u0001`,
		"é":            `\u00E9`,
		"😀":            `\uD83D\uDE00`,
		"plain":        "plain",
	}
	for in, want := range cases {
		if got := EscapeJavaScript(in); got != want {
			t.Errorf("EscapeJavaScript(%q) = %q, want %q", in, got, want)
		}
	}
}

func wsContext() *Map {
	return NewMap(
		"connectionId", "L0SM9cOFvHcCIhw=",
		"requestId", "L0SNNG3-vHcFeHw=",
		"messageId", "L0SNNdGlvHcCIhw=",
		"routeKey", "$default",
		"eventType", "MESSAGE",
		"connectedAt", int64(1700000000000),
		"identity", NewMap("sourceIp", "127.0.0.1", "userArn", nil),
	)
}

const sqsTemplate = `Action=SendMessage&MessageBody=$util.urlEncode($input.body)&MessageGroupId=$util.urlEncode($context.connectionId)&MessageDeduplicationId=$util.urlEncode($context.requestId)&MessageAttribute.1.Name=connectionId&MessageAttribute.1.Value.DataType=String&MessageAttribute.1.Value.StringValue=$util.urlEncode($context.connectionId)&MessageAttribute.2.Name=requestId&MessageAttribute.2.Value.DataType=String&MessageAttribute.2.Value.StringValue=$util.urlEncode($context.requestId)`

func TestSQSTemplateRendersEncodedForm(t *testing.T) {
	got := render(t, sqsTemplate, `{"msg":"a&b"}`, wsContext())
	want := "Action=SendMessage&MessageBody=%7B%22msg%22%3A%22a%26b%22%7D" +
		"&MessageGroupId=L0SM9cOFvHcCIhw%3D&MessageDeduplicationId=L0SNNG3-vHcFeHw%3D" +
		"&MessageAttribute.1.Name=connectionId&MessageAttribute.1.Value.DataType=String" +
		"&MessageAttribute.1.Value.StringValue=L0SM9cOFvHcCIhw%3D" +
		"&MessageAttribute.2.Name=requestId&MessageAttribute.2.Value.DataType=String" +
		"&MessageAttribute.2.Value.StringValue=L0SNNG3-vHcFeHw%3D"
	if got != want {
		t.Fatalf("got\n%s\nwant\n%s", got, want)
	}
}

func TestInputPathAndJSON(t *testing.T) {
	body := `{"action":"send","n":3,"f":1.5,"nested":{"a":[1,"two",{"k":"v"}]},"s":"x\"y"}`
	cases := map[string]string{
		`$input.path('$.action')`:                                 "send",
		`$input.path('$.n')`:                                      "3",
		`$input.path('$.f')`:                                      "1.5",
		`$input.path('$.nested.a[1]')`:                            "two",
		`$input.path('$.nested.a[2].k')`:                          "v",
		`$input.path("$['action']")`:                              "send",
		`[$input.path('$.missing')]`:                              "[]",
		`$input.json('$.nested')`:                                 `{"a":[1,"two",{"k":"v"}]}`,
		`$input.json('$.s')`:                                      `"x\"y"`,
		`$input.json('$.missing')`:                                "",
		`$input.path('$.nested.a').size()`:                        "3",
		`$input.path('$.nested.a.length()')`:                      "3",
		`$input.json('$')`:                                        `{"action":"send","n":3,"f":1.5,"nested":{"a":[1,"two",{"k":"v"}]},"s":"x\"y"}`,
		`$input.path('$.nested').keySet()`:                        "[a]",
		`$input.path('$.nested')`:                                 "{a=[1, two, {k=v}]}",
		`$input.body`:                                             body,
		`#set($b = $util.parseJson($input.body))$b.nested.a[2].k`: "v",
	}
	for src, want := range cases {
		if got := render(t, src, body, nil); got != want {
			t.Errorf("%s = %q, want %q", src, got, want)
		}
	}
}

func TestNonJSONBody(t *testing.T) {
	if got := render(t, `$input.body|$input.path('$')|$input.json('$')|$!input.path('$.a')`, "hello & bye", nil); got != `hello & bye|hello & bye|"hello & bye"|` {
		t.Fatalf("got %q", got)
	}
}

func TestDirectivesAndGobbling(t *testing.T) {
	src := "## a comment line\n" +
		"#set($g = $input.path('$.group'))\n" +
		"  #if($g && $g != \"\")\n" +
		"group=$util.urlEncode($g)\n" +
		"  #elseif($input.path('$.alt'))\n" +
		"alt\n" +
		"  #else\n" +
		"group=none\n" +
		"  #end\n" +
		"#* block\ncomment *#\n" +
		"tail"
	if got := render(t, src, `{"group":"a b"}`, nil); got != "group=a+b\ntail" {
		t.Errorf("with group: %q", got)
	}
	if got := render(t, src, `{"alt":true}`, nil); got != "alt\ntail" {
		t.Errorf("with alt: %q", got)
	}
	if got := render(t, src, `{}`, nil); got != "group=none\ntail" {
		t.Errorf("without group: %q", got)
	}
}

func TestInlineDirectivesKeepText(t *testing.T) {
	got := render(t, `a=#if($input.path('$.x') == 1)one#{else}other#end&b=2`, `{"x":1}`, nil)
	if got != "a=one&b=2" {
		t.Fatalf("got %q", got)
	}
}

func TestForeachAndOperators(t *testing.T) {
	src := `#foreach($k in $input.path('$').keySet())$k=$input.path("$.$k")#if($foreach.hasNext)&#end#end`
	if got := render(t, src, `{"a":1,"b":"x"}`, nil); got != "a=1&b=x" {
		t.Errorf("foreach: %q", got)
	}
	if got := render(t, `#set($n = 2 + 3 * 4)$n #if($n > 10 and not false)big#end`, "", nil); got != "14 big" {
		t.Errorf("operators: %q", got)
	}
	if got := render(t, `#foreach($i in [1..3])$i#end`, "", nil); got != "123" {
		t.Errorf("range: %q", got)
	}
	n := render(t, `#set($c = 0)#foreach($i in [1..5000])#set($c = $c + 1)#end$c`, "", nil)
	if n != "1000" {
		t.Errorf("foreach cap: %s iterations, want 1000", n)
	}
}

func TestUndefinedAndQuietReferences(t *testing.T) {
	got := render(t, `$nope|$!nope|$context.nope|$util.noSuch('x')|${context.connectionId}x|$context.identity.userArn|cost: $5`, "", wsContext())
	// An undefined root and an unknown $util function keep their source
	// text; a missing member of a defined object renders empty.
	if want := `$nope|||$util.noSuch('x')|L0SM9cOFvHcCIhw=x||cost: $5`; got != want {
		t.Fatalf("got %q want %q", got, want)
	}
}

func TestEscapeJavaScriptJSONIdiom(t *testing.T) {
	src := `{"body":"$util.escapeJavaScript($input.body).replaceAll("\\'","'")"}`
	got := render(t, src, `it's "q"`, nil)
	want := `{"body":"it's \"q\""}`
	if got != want {
		t.Fatalf("got %q want %q", got, want)
	}
	v, err := ParseJSON(got)
	if err != nil {
		t.Fatalf("idiom output is not JSON: %v", err)
	}
	if s := v.(*Map).Get("body"); s != `it's "q"` {
		t.Fatalf("round trip lost data: %q", s)
	}
}

func TestStringMethods(t *testing.T) {
	cases := map[string]string{
		`$input.body.length()`:                  "5",
		`$input.body.toUpperCase()`:             "HÉLLO",
		`$input.body.substring(1, 3)`:           "él",
		`$input.body.replaceAll("l+", "L")`:     "héLo",
		`$input.body.replaceAll("(h)", "[$1]")`: "[h]éllo",
		`$input.body.contains("ll")`:            "true",
		`$input.body.split("l")`:                "[hé, , o]",
	}
	for src, want := range cases {
		if got := render(t, src, "héllo", nil); got != want {
			t.Errorf("%s = %q, want %q", src, got, want)
		}
	}
}

func TestSyntaxErrors(t *testing.T) {
	for _, src := range []string{`#if($x)no end`, `#set($x = )`, `#end`, `#foreach($x in $y)`, `#if($x)a#else`, `$x.m('unterminated)`} {
		if _, err := Parse(src); err == nil {
			t.Errorf("Parse(%q) succeeded", src)
		}
	}
}

func TestParseJSONErrorsAreTemplateErrors(t *testing.T) {
	tmpl, err := Parse(`$util.parseJson($input.body)`)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tmpl.Render(Vars("{not json", nil)); err == nil {
		t.Fatal("parseJson of invalid JSON did not fail the render")
	}
}
