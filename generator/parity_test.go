package generator

import (
	"encoding/json"
	"fmt"
	"path"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/function"
	"github.com/zclconf/go-cty/cty/function/stdlib"
	"gopkg.in/yaml.v3"
)

// The parity test renders the same answers with every IaC tool and compares
// a normalised summary of what each would deploy. Each tool has an
// extractor that evaluates its own output to plain values: Terraform HCL
// (variables resolve to their defaults) and CloudFormation (SAM YAML here;
// a CDK-synthesized JSON template goes through the same extractor, as JSON
// is YAML and its intrinsics are the long forms the YAML tags map to).
//
// References between resources are resolved the same way for every tool:
// names are taken from the resource's own name argument, and computed
// attributes (ARNs, queue URLs, the API id) are written in their documented
// form with placeholders for what only AWS knows: {partition}, {region},
// {account}, {dns_suffix} and {api:<name>}. Anything the extractors cannot
// resolve shows up as {ref:...} in the diff.

// ---------------------------------------------------------------------------
// The summary.
// ---------------------------------------------------------------------------

type infraSummary struct {
	Queues    map[string]queueSummary // by queue name
	ESMs      []esmSummary
	Functions map[string]functionSummary // by function name
	Roles     map[string]roleSummary     // by role name
	API       apiSummary
	Routes    map[string]routeSummary // by route key
	Models    map[string]modelSummary // by model name
	Stage     stageSummary
	LogGroups map[string]int          // name -> retention days
	Alarms    map[string]alarmSummary // by alarm name
	Tables    map[string]tableSummary // by table name
	Outputs   []string                // output values, sorted
}

type queueSummary struct {
	FIFO              bool
	ContentDedup      bool
	DedupScope        string
	ThroughputLimit   string
	VisibilityTimeout int
	Retention         int
	SSE               bool
	DeadLetterTarget  string
	MaxReceiveCount   int
	RedrivePermission string
	RedriveSources    []string
	Policy            []statementSummary
}

type esmSummary struct {
	Source, Function string
	BatchSize        int
	Window           int
	ResponseTypes    []string
}

type functionSummary struct {
	Description                 string
	Runtime, Handler            string
	Architectures               []string
	Timeout, Memory             int
	Role                        string
	Package                     string
	Env                         map[string]string
	Tracing                     string
	LogFormat, LogGroup         string
	AppLogLevel, SystemLogLevel string
}

type roleSummary struct {
	Description     string
	AssumeRole      []statementSummary
	Statements      []statementSummary
	ManagedPolicies []string
}

type statementSummary struct {
	Sid, Effect string
	Principals  []string
	Actions     []string
	Resources   []string
	Conditions  []string
}

type apiSummary struct {
	Name, Description, Protocol, RouteSelection string
}

type routeSummary struct {
	Auth, Operation        string
	ModelSelection         string
	Models                 map[string]string
	RouteResponseSelection string
	RouteResponses         []string
	Integration            integrationSummary
}

type integrationSummary struct {
	Description, Type, Method, URI string
	Credentials, Passthrough       string
	TimeoutMs                      int
	Parameters                     map[string]string
	TemplateSelection              string
	Templates                      map[string]string
	Responses                      map[string]integrationResponseSummary
}

type integrationResponseSummary struct {
	TemplateSelection string
	Templates         map[string]string
}

type modelSummary struct {
	Description, ContentType, Schema string
}

type stageSummary struct {
	Name, Description    string
	AutoDeploy           bool
	Burst                int
	Rate                 float64
	DetailedMetrics      bool
	DataTrace            bool
	LoggingLevel         string
	AccessLogDestination string
	AccessLogFormat      string
	Variables            map[string]string
}

type alarmSummary struct {
	Description, Namespace, Metric, Statistic string
	Period, EvaluationPeriods                 int
	Comparison                                string
	Threshold                                 float64
	MissingData                               string
	Dimensions                                map[string]string
	Actions, OKActions                        []string
}

type tableSummary struct {
	BillingMode  string
	HashKey      string
	Attributes   []string // name:type
	TTLAttribute string
	TTLEnabled   bool
	PITR         bool
	SSE          bool
}

// ---------------------------------------------------------------------------
// What is shared by the extractors: resource kinds and computed attributes.
// ---------------------------------------------------------------------------

// refValue is the value of a resource attribute another resource refers
// to, in the tool-neutral form. attr is one of name, arn, url, id,
// endpoint, execution_arn; name is the resource's own name; apiID is the
// stage's API id (execution_arn only).
func refValue(kind, name, attr, apiID string) (string, bool) {
	switch kind + "." + attr {
	case "queue.name", "table.name", "loggroup.name", "role.name", "function.name", "stage.name", "model.name", "api.name":
		return name, true
	case "queue.arn":
		return "arn:{partition}:sqs:{region}:{account}:" + name, true
	case "queue.url":
		return "https://sqs.{region}.{dns_suffix}/{account}/" + name, true
	case "table.arn":
		return "arn:{partition}:dynamodb:{region}:{account}:table/" + name, true
	case "loggroup.arn":
		return "arn:{partition}:logs:{region}:{account}:log-group:" + name, true
	case "role.arn":
		return "arn:{partition}:iam::{account}:role/" + name, true
	case "function.arn":
		return "arn:{partition}:lambda:{region}:{account}:function:" + name, true
	case "api.id":
		return "{api:" + name + "}", true
	case "api.endpoint":
		return "wss://{api:" + name + "}.execute-api.{region}.{dns_suffix}", true
	case "stage.execution_arn":
		return "arn:{partition}:execute-api:{region}:{account}:" + apiID + "/" + name, true
	case "model.id":
		return "{model:" + name + "}", true
	}
	return "", false
}

func sortedStrings(in []string) []string {
	out := append([]string(nil), in...)
	sort.Strings(out)
	if len(out) == 0 {
		return nil
	}
	return out
}

// compactJSON re-encodes a JSON document (string or decoded value) so that
// formatting differences do not count.
func compactJSON(v any) (string, error) {
	if s, ok := v.(string); ok {
		var doc any
		if err := json.Unmarshal([]byte(s), &doc); err != nil {
			return "", err
		}
		v = doc
	}
	b, err := json.Marshal(v)
	return string(b), err
}

// ---------------------------------------------------------------------------
// Plain values: both extractors evaluate to these Go types (string, int,
// float64, bool, []any, map[string]any, nil), and read them with these.
// ---------------------------------------------------------------------------

type reader struct {
	errs []string
	at   string
}

func (r *reader) fail(format string, args ...any) {
	r.errs = append(r.errs, r.at+": "+fmt.Sprintf(format, args...))
}

func (r *reader) str(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return x
	case int:
		return strconv.Itoa(x)
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64)
	case bool:
		return strconv.FormatBool(x)
	}
	r.fail("want a string, got %T %v", v, v)
	return ""
}

func (r *reader) num(v any) float64 {
	switch x := v.(type) {
	case nil:
		return 0
	case int:
		return float64(x)
	case float64:
		return x
	case string:
		f, err := strconv.ParseFloat(x, 64)
		if err != nil {
			r.fail("want a number, got %q", x)
		}
		return f
	}
	r.fail("want a number, got %T %v", v, v)
	return 0
}

func (r *reader) int(v any) int { return int(r.num(v)) }

func (r *reader) bool(v any) bool {
	switch x := v.(type) {
	case nil:
		return false
	case bool:
		return x
	case string:
		b, err := strconv.ParseBool(x)
		if err != nil {
			r.fail("want a bool, got %q", x)
		}
		return b
	}
	r.fail("want a bool, got %T %v", v, v)
	return false
}

// strs reads a string or a list of strings.
func (r *reader) strs(v any) []string {
	switch x := v.(type) {
	case nil:
		return nil
	case string:
		return []string{x}
	case []any:
		var out []string
		for _, e := range x {
			out = append(out, r.str(e))
		}
		return out
	}
	r.fail("want a list of strings, got %T %v", v, v)
	return nil
}

func (r *reader) strMap(v any) map[string]string {
	m, ok := v.(map[string]any)
	if v == nil {
		return nil
	}
	if !ok {
		r.fail("want a map, got %T %v", v, v)
		return nil
	}
	out := map[string]string{}
	for k, e := range m {
		out[k] = r.str(e)
	}
	return out
}

func obj(v any) map[string]any {
	m, _ := v.(map[string]any)
	if m == nil {
		return map[string]any{}
	}
	return m
}

// block returns the single nested block of that type (HCL), or nil.
func block(m map[string]any, typ string) map[string]any {
	bs, _ := m[typ].([]any)
	if len(bs) == 0 {
		return map[string]any{}
	}
	return obj(bs[0])
}

func blocks(m map[string]any, typ string) []map[string]any {
	bs, _ := m[typ].([]any)
	var out []map[string]any
	for _, b := range bs {
		out = append(out, obj(b))
	}
	return out
}

func list(v any) []any {
	switch x := v.(type) {
	case nil:
		return nil
	case []any:
		return x
	}
	return []any{v}
}

// ---------------------------------------------------------------------------
// Terraform.
// ---------------------------------------------------------------------------

// tfKinds maps Terraform resource types to neutral kinds and the argument
// holding the resource's name.
var tfKinds = map[string][2]string{
	"aws_sqs_queue":                {"queue", "name"},
	"aws_dynamodb_table":           {"table", "name"},
	"aws_cloudwatch_log_group":     {"loggroup", "name"},
	"aws_iam_role":                 {"role", "name"},
	"aws_lambda_function":          {"function", "function_name"},
	"aws_apigatewayv2_api":         {"api", "name"},
	"aws_apigatewayv2_stage":       {"stage", "name"},
	"aws_apigatewayv2_model":       {"model", "name"},
	"aws_apigatewayv2_route":       {"route", ""},
	"aws_apigatewayv2_integration": {"integration", ""},
}

// tfAttrs maps Terraform attribute names to neutral ones, per kind.
var tfAttrs = map[string]map[string]string{
	"queue":    {"name": "name", "arn": "arn", "id": "url", "url": "url"},
	"table":    {"name": "name", "id": "name", "arn": "arn"},
	"loggroup": {"name": "name", "id": "name", "arn": "arn"},
	"role":     {"name": "name", "id": "name", "arn": "arn"},
	"function": {"function_name": "name", "id": "name", "arn": "arn"},
	"api":      {"name": "name", "id": "id", "api_endpoint": "endpoint"},
	"stage":    {"name": "name", "id": "name", "execution_arn": "execution_arn"},
	"model":    {"name": "name", "id": "id"},
}

type tfBlock struct {
	typ, name string
	body      *hclsyntax.Body
}

type tfConfig struct {
	files     map[string][]byte
	dir       string
	resources map[string]*tfBlock // "type.name"
	data      map[string]*tfBlock // "type.name"
	locals    map[string]hcl.Expression
	variables map[string]*tfBlock
	outputs   map[string]*tfBlock
	busy      map[string]bool
}

type tfEach struct{ key, value cty.Value }

func parseTF(set *FileSet, dir string) (*tfConfig, error) {
	c := &tfConfig{
		files: map[string][]byte{}, dir: dir,
		resources: map[string]*tfBlock{}, data: map[string]*tfBlock{},
		locals: map[string]hcl.Expression{}, variables: map[string]*tfBlock{},
		outputs: map[string]*tfBlock{}, busy: map[string]bool{},
	}
	for _, f := range set.Files {
		c.files[f.Path] = f.Data
		if path.Dir(f.Path) != dir || !strings.HasSuffix(f.Path, ".tf") {
			continue
		}
		file, diags := hclsyntax.ParseConfig(f.Data, f.Path, hcl.InitialPos)
		if diags.HasErrors() {
			return nil, diags
		}
		for _, b := range file.Body.(*hclsyntax.Body).Blocks {
			switch b.Type {
			case "resource":
				c.resources[b.Labels[0]+"."+b.Labels[1]] = &tfBlock{b.Labels[0], b.Labels[1], b.Body}
			case "data":
				c.data[b.Labels[0]+"."+b.Labels[1]] = &tfBlock{b.Labels[0], b.Labels[1], b.Body}
			case "variable":
				c.variables[b.Labels[0]] = &tfBlock{"variable", b.Labels[0], b.Body}
			case "output":
				c.outputs[b.Labels[0]] = &tfBlock{"output", b.Labels[0], b.Body}
			case "locals":
				for name, a := range b.Body.Attributes {
					c.locals[name] = a.Expr
				}
			}
		}
	}
	return c, nil
}

func (c *tfConfig) funcs() map[string]function.Function {
	return map[string]function.Function{
		"jsonencode": stdlib.JSONEncodeFunc,
		"jsondecode": stdlib.JSONDecodeFunc,
		"chomp":      stdlib.ChompFunc,
		"coalesce":   stdlib.CoalesceFunc,
		"concat":     stdlib.ConcatFunc,
		"file": function.New(&function.Spec{
			Params: []function.Parameter{{Name: "path", Type: cty.String}},
			Type:   function.StaticReturnType(cty.String),
			Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
				p := path.Clean(args[0].AsString())
				data, ok := c.files[p]
				if !ok {
					return cty.NilVal, fmt.Errorf("file(%q): not generated", p)
				}
				return cty.StringVal(string(data)), nil
			},
		}),
		"filebase64sha256": function.New(&function.Spec{
			Params: []function.Parameter{{Name: "path", Type: cty.String}},
			Type:   function.StaticReturnType(cty.String),
			Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
				return cty.StringVal("{sha256:" + path.Clean(args[0].AsString()) + "}"), nil
			},
		}),
	}
}

// eval evaluates an expression: variables resolve to their defaults (the
// region to {region}), data sources and resource attributes to the
// tool-neutral values of refValue.
func (c *tfConfig) eval(expr hcl.Expression, each *tfEach) (cty.Value, error) {
	tree := map[string]any{}
	for _, tr := range expr.Variables() {
		if err := c.bind(tree, tr, each); err != nil {
			return cty.NilVal, err
		}
	}
	vars := map[string]cty.Value{}
	for k, v := range tree {
		vars[k] = treeValue(v)
	}
	v, diags := expr.Value(&hcl.EvalContext{Variables: vars, Functions: c.funcs()})
	if diags.HasErrors() {
		return cty.NilVal, diags
	}
	return v, nil
}

// treeValue turns the nested maps bind builds into cty values. Keys
// starting with "[" are index keys: numbers make a tuple.
func treeValue(v any) cty.Value {
	m, ok := v.(map[string]any)
	if !ok {
		return v.(cty.Value)
	}
	numeric := len(m) > 0
	for k := range m {
		if _, err := strconv.Atoi(strings.TrimSuffix(strings.TrimPrefix(k, "["), "]")); err != nil || !strings.HasPrefix(k, "[") {
			numeric = false
		}
	}
	if numeric {
		vals := make([]cty.Value, len(m))
		for k, e := range m {
			i, _ := strconv.Atoi(strings.Trim(k, "[]"))
			if i < len(vals) {
				vals[i] = treeValue(e)
			}
		}
		for i := range vals {
			if vals[i] == cty.NilVal {
				vals[i] = cty.NullVal(cty.DynamicPseudoType)
			}
		}
		return cty.TupleVal(vals)
	}
	attrs := map[string]cty.Value{}
	for k, e := range m {
		attrs[strings.TrimSuffix(strings.TrimPrefix(k, "["), "]")] = treeValue(e)
	}
	return cty.ObjectVal(attrs)
}

func (c *tfConfig) bind(tree map[string]any, tr hcl.Traversal, each *tfEach) error {
	type seg struct {
		key   string // tree key
		name  string // attribute name, or index key
		index bool
	}
	var segs []seg
	for i, s := range tr {
		switch x := s.(type) {
		case hcl.TraverseRoot:
			segs = append(segs, seg{x.Name, x.Name, false})
		case hcl.TraverseAttr:
			segs = append(segs, seg{x.Name, x.Name, false})
		case hcl.TraverseIndex:
			var k string
			switch x.Key.Type() {
			case cty.String:
				k = x.Key.AsString()
			case cty.Number:
				k = x.Key.AsBigFloat().String()
			default:
				return fmt.Errorf("index of type %s", x.Key.Type().FriendlyName())
			}
			segs = append(segs, seg{"[" + k + "]", k, true})
		default:
			return fmt.Errorf("traversal step %d of %T", i, s)
		}
	}
	// names without index steps, and the position of each in segs
	var names []string
	var pos []int
	var indexKey string
	for i, s := range segs {
		if s.index {
			indexKey = s.name
			continue
		}
		names = append(names, s.name)
		pos = append(pos, i)
	}
	need := func(n int) error {
		if len(names) < n {
			return fmt.Errorf("reference %s is too short", strings.Join(names, "."))
		}
		return nil
	}
	var value cty.Value
	var depth int // segments consumed
	var err error
	switch root := names[0]; root {
	case "var":
		if err := need(2); err != nil {
			return err
		}
		value, err = c.variable(names[1])
		depth = pos[1] + 1
	case "local":
		if err := need(2); err != nil {
			return err
		}
		value, err = c.local(names[1])
		depth = pos[1] + 1
	case "path":
		value, depth = cty.StringVal(c.dir), 2
	case "each":
		if each == nil {
			return fmt.Errorf("each outside for_each")
		}
		if err := need(2); err != nil {
			return err
		}
		value = map[string]cty.Value{"key": each.key, "value": each.value}[names[1]]
		depth = 2
	case "data":
		if err := need(4); err != nil {
			return err
		}
		value, err = c.dataAttr(names[1], names[2], indexKey, names[3])
		depth = pos[3] + 1
	default:
		if err := need(3); err != nil {
			return err
		}
		var s string
		s, err = c.resourceAttr(names[0], names[1], names[2])
		value = cty.StringVal(s)
		depth = pos[2] + 1
	}
	if err != nil {
		return err
	}
	node := tree
	for i := 0; i < depth-1; i++ {
		next, ok := node[segs[i].key].(map[string]any)
		if !ok {
			next = map[string]any{}
			node[segs[i].key] = next
		}
		node = next
	}
	node[segs[depth-1].key] = value
	return nil
}

func (c *tfConfig) variable(name string) (cty.Value, error) {
	if name == "region" {
		return cty.StringVal("{region}"), nil
	}
	v, ok := c.variables[name]
	if !ok {
		return cty.NilVal, fmt.Errorf("undeclared variable %s", name)
	}
	a, ok := v.body.Attributes["default"]
	if !ok {
		return cty.NilVal, fmt.Errorf("variable %s has no default", name)
	}
	val, diags := a.Expr.Value(nil)
	if diags.HasErrors() {
		return cty.NilVal, diags
	}
	if val.IsNull() {
		return cty.NullVal(cty.String), nil
	}
	return val, nil
}

func (c *tfConfig) local(name string) (cty.Value, error) {
	e, ok := c.locals[name]
	if !ok {
		return cty.NilVal, fmt.Errorf("undeclared local %s", name)
	}
	key := "local." + name
	if c.busy[key] {
		return cty.NilVal, fmt.Errorf("cycle at %s", key)
	}
	c.busy[key] = true
	defer delete(c.busy, key)
	return c.eval(e, nil)
}

func (c *tfConfig) dataAttr(typ, name, index, attr string) (cty.Value, error) {
	switch typ + "." + attr {
	case "aws_partition.partition":
		return cty.StringVal("{partition}"), nil
	case "aws_partition.dns_suffix":
		return cty.StringVal("{dns_suffix}"), nil
	case "aws_caller_identity.account_id":
		return cty.StringVal("{account}"), nil
	case "aws_iam_policy_document.json":
		if index != "" {
			return cty.StringVal("{policy:" + name + "[" + index + "]}"), nil
		}
		return cty.StringVal("{policy:" + name + "}"), nil
	}
	return cty.NilVal, fmt.Errorf("data.%s.%s.%s: not understood by the parity test", typ, name, attr)
}

// resourceAttr resolves a resource attribute through refValue, reading the
// resource's own name argument.
func (c *tfConfig) resourceAttr(typ, name, attr string) (string, error) {
	b, ok := c.resources[typ+"."+name]
	if !ok {
		return "", fmt.Errorf("undeclared resource %s.%s", typ, name)
	}
	kind, nameArg := tfKinds[typ][0], tfKinds[typ][1]
	neutral := tfAttrs[kind][attr]
	if kind == "" || nameArg == "" || neutral == "" {
		// Route and integration ids and the like: an identity only.
		return "{ref:" + typ + "." + name + "." + attr + "}", nil
	}
	own, err := c.argString(b, nameArg)
	if err != nil {
		return "", err
	}
	var apiID string
	if neutral == "execution_arn" {
		if apiID, err = c.argString(b, "api_id"); err != nil {
			return "", err
		}
	}
	v, _ := refValue(kind, own, neutral, apiID)
	return v, nil
}

func (c *tfConfig) argString(b *tfBlock, arg string) (string, error) {
	a, ok := b.body.Attributes[arg]
	if !ok {
		return "", fmt.Errorf("%s.%s has no %s", b.typ, b.name, arg)
	}
	key := b.typ + "." + b.name + "." + arg
	if c.busy[key] {
		return "", fmt.Errorf("cycle at %s", key)
	}
	c.busy[key] = true
	defer delete(c.busy, key)
	v, err := c.eval(a.Expr, nil)
	if err != nil {
		return "", err
	}
	if v.Type() != cty.String || v.IsNull() {
		return "", fmt.Errorf("%s is not a string", key)
	}
	return v.AsString(), nil
}

// body evaluates every argument and nested block of a body to plain values.
// Nested blocks become lists of maps under their type.
func (c *tfConfig) body(b *hclsyntax.Body, each *tfEach) (map[string]any, error) {
	out := map[string]any{}
	for name, a := range b.Attributes {
		if name == "depends_on" || name == "for_each" {
			continue
		}
		v, err := c.eval(a.Expr, each)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		g, err := ctyToGo(v)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		out[name] = g
	}
	for _, nb := range b.Blocks {
		if nb.Type == "lifecycle" {
			continue
		}
		m, err := c.body(nb.Body, each)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", nb.Type, err)
		}
		l, _ := out[nb.Type].([]any)
		out[nb.Type] = append(l, m)
	}
	return out, nil
}

func ctyToGo(v cty.Value) (any, error) {
	if v.IsNull() {
		return nil, nil
	}
	if !v.IsKnown() {
		return nil, fmt.Errorf("unknown value")
	}
	t := v.Type()
	switch {
	case t == cty.String:
		return v.AsString(), nil
	case t == cty.Bool:
		return v.True(), nil
	case t == cty.Number:
		bf := v.AsBigFloat()
		if bf.IsInt() {
			i, _ := bf.Int64()
			return int(i), nil
		}
		f, _ := bf.Float64()
		return f, nil
	case t.IsListType() || t.IsTupleType() || t.IsSetType():
		out := []any{}
		for it := v.ElementIterator(); it.Next(); {
			_, e := it.Element()
			g, err := ctyToGo(e)
			if err != nil {
				return nil, err
			}
			out = append(out, g)
		}
		return out, nil
	case t.IsMapType() || t.IsObjectType():
		out := map[string]any{}
		for it := v.ElementIterator(); it.Next(); {
			k, e := it.Element()
			g, err := ctyToGo(e)
			if err != nil {
				return nil, err
			}
			out[k.AsString()] = g
		}
		return out, nil
	}
	return nil, fmt.Errorf("value of type %s", t.FriendlyName())
}

// tfResources evaluates every resource that exists with the default
// variables (count 0 leaves it out), keyed by "type.name".
func (c *tfConfig) tfResources() (map[string]map[string]any, error) {
	out := map[string]map[string]any{}
	for key, b := range c.resources {
		if a, ok := b.body.Attributes["count"]; ok {
			v, err := c.eval(a.Expr, nil)
			if err != nil {
				return nil, fmt.Errorf("%s count: %w", key, err)
			}
			if n, _ := v.AsBigFloat().Int64(); n == 0 {
				continue
			}
		}
		m, err := c.body(b.body, nil)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", key, err)
		}
		out[key] = m
	}
	return out, nil
}

var policyRef = regexp.MustCompile(`^\{policy:([a-z0-9_]+)(?:\[([^\]]+)\])?\}$`)

// policy evaluates the aws_iam_policy_document a "{policy:...}" value names.
func (c *tfConfig) policy(ref string) ([]statementSummary, error) {
	m := policyRef.FindStringSubmatch(ref)
	if m == nil {
		// An inline JSON policy.
		var doc map[string]any
		if err := json.Unmarshal([]byte(ref), &doc); err != nil {
			return nil, fmt.Errorf("policy %q is neither a policy document data source nor JSON", ref)
		}
		return cfnStatements(doc)
	}
	b, ok := c.data["aws_iam_policy_document."+m[1]]
	if !ok {
		return nil, fmt.Errorf("no data.aws_iam_policy_document.%s", m[1])
	}
	var each *tfEach
	if a, ok := b.body.Attributes["for_each"]; ok {
		all, err := c.eval(a.Expr, nil)
		if err != nil {
			return nil, err
		}
		k := cty.StringVal(m[2])
		var val cty.Value
		switch {
		case all.Type().IsObjectType() && all.Type().HasAttribute(m[2]):
			val = all.GetAttr(m[2])
		case all.Type().IsMapType() && all.HasIndex(k).True():
			val = all.Index(k)
		default:
			return nil, fmt.Errorf("for_each of %s has no key %q", m[1], m[2])
		}
		each = &tfEach{key: k, value: val}
	}
	doc, err := c.body(b.body, each)
	if err != nil {
		return nil, err
	}
	r := &reader{at: ref}
	var out []statementSummary
	for _, st := range blocks(doc, "statement") {
		s := statementSummary{
			Sid:       r.str(st["sid"]),
			Effect:    r.str(st["effect"]),
			Actions:   sortedStrings(r.strs(st["actions"])),
			Resources: sortedStrings(r.strs(st["resources"])),
		}
		if s.Effect == "" {
			s.Effect = "Allow"
		}
		for _, p := range blocks(st, "principals") {
			for _, id := range r.strs(p["identifiers"]) {
				if r.str(p["type"]) == "*" && id == "*" {
					s.Principals = append(s.Principals, "*")
					continue
				}
				s.Principals = append(s.Principals, r.str(p["type"])+":"+id)
			}
		}
		s.Principals = sortedStrings(s.Principals)
		for _, cond := range blocks(st, "condition") {
			s.Conditions = append(s.Conditions, r.str(cond["test"])+" "+r.str(cond["variable"])+"="+strings.Join(sortedStrings(r.strs(cond["values"])), ","))
		}
		s.Conditions = sortedStrings(s.Conditions)
		out = append(out, s)
	}
	if len(r.errs) > 0 {
		return nil, fmt.Errorf("%s", strings.Join(r.errs, "; "))
	}
	return out, nil
}

// terraformSummary extracts the summary from the HCL in dir.
func terraformSummary(set *FileSet, dir string) (*infraSummary, error) {
	c, err := parseTF(set, dir)
	if err != nil {
		return nil, err
	}
	res, err := c.tfResources()
	if err != nil {
		return nil, err
	}
	r := &reader{}
	byType := func(typ string) []string {
		var keys []string
		for k := range res {
			if strings.HasPrefix(k, typ+".") {
				keys = append(keys, k)
			}
		}
		sort.Strings(keys)
		return keys
	}
	s := &infraSummary{
		Queues: map[string]queueSummary{}, Functions: map[string]functionSummary{},
		Roles: map[string]roleSummary{}, Routes: map[string]routeSummary{},
		Models: map[string]modelSummary{}, LogGroups: map[string]int{},
		Alarms: map[string]alarmSummary{}, Tables: map[string]tableSummary{},
	}
	policyErr := func(ref string) []statementSummary {
		st, err := c.policy(ref)
		if err != nil {
			r.fail("%v", err)
		}
		return st
	}

	// Queues, with the separate redrive-allow and queue-policy resources
	// joined in by queue URL.
	queueByURL := map[string]string{}
	for _, k := range byType("aws_sqs_queue") {
		q := res[k]
		r.at = k
		name := r.str(q["name"])
		url, _ := refValue("queue", name, "url", "")
		queueByURL[url] = name
		qs := queueSummary{
			FIFO:              r.bool(q["fifo_queue"]),
			ContentDedup:      r.bool(q["content_based_deduplication"]),
			DedupScope:        r.str(q["deduplication_scope"]),
			ThroughputLimit:   r.str(q["fifo_throughput_limit"]),
			VisibilityTimeout: r.int(q["visibility_timeout_seconds"]),
			Retention:         r.int(q["message_retention_seconds"]),
			SSE:               r.bool(q["sqs_managed_sse_enabled"]),
		}
		if rp := r.str(q["redrive_policy"]); rp != "" {
			var doc map[string]any
			if err := json.Unmarshal([]byte(rp), &doc); err != nil {
				r.fail("redrive_policy: %v", err)
			}
			qs.DeadLetterTarget = r.str(doc["deadLetterTargetArn"])
			qs.MaxReceiveCount = r.int(doc["maxReceiveCount"])
		}
		s.Queues[name] = qs
	}
	for _, k := range byType("aws_sqs_queue_redrive_allow_policy") {
		r.at = k
		name := queueByURL[r.str(res[k]["queue_url"])]
		var doc map[string]any
		if err := json.Unmarshal([]byte(r.str(res[k]["redrive_allow_policy"])), &doc); err != nil {
			r.fail("%v", err)
		}
		qs := s.Queues[name]
		qs.RedrivePermission = r.str(doc["redrivePermission"])
		qs.RedriveSources = sortedStrings(r.strs(doc["sourceQueueArns"]))
		s.Queues[name] = qs
	}
	for _, k := range byType("aws_sqs_queue_policy") {
		r.at = k
		name := queueByURL[r.str(res[k]["queue_url"])]
		qs := s.Queues[name]
		qs.Policy = append(qs.Policy, policyErr(r.str(res[k]["policy"]))...)
		s.Queues[name] = qs
	}

	for _, k := range byType("aws_lambda_event_source_mapping") {
		r.at = k
		e := res[k]
		s.ESMs = append(s.ESMs, esmSummary{
			Source:        r.str(e["event_source_arn"]),
			Function:      r.str(e["function_name"]),
			BatchSize:     r.int(e["batch_size"]),
			Window:        r.int(e["maximum_batching_window_in_seconds"]),
			ResponseTypes: sortedStrings(r.strs(e["function_response_types"])),
		})
	}

	for _, k := range byType("aws_lambda_function") {
		r.at = k
		f := res[k]
		lc := block(f, "logging_config")
		s.Functions[r.str(f["function_name"])] = functionSummary{
			Description:    r.str(f["description"]),
			Runtime:        r.str(f["runtime"]),
			Handler:        r.str(f["handler"]),
			Architectures:  r.strs(f["architectures"]),
			Timeout:        r.int(f["timeout"]),
			Memory:         r.int(f["memory_size"]),
			Role:           r.str(f["role"]),
			Package:        path.Clean(r.str(f["filename"])),
			Env:            r.strMap(block(f, "environment")["variables"]),
			Tracing:        r.str(block(f, "tracing_config")["mode"]),
			LogFormat:      r.str(lc["log_format"]),
			LogGroup:       r.str(lc["log_group"]),
			AppLogLevel:    r.str(lc["application_log_level"]),
			SystemLogLevel: r.str(lc["system_log_level"]),
		}
	}

	// Roles, with their inline policies (aws_iam_role_policy, joined by
	// role name) and managed policy attachments.
	for _, k := range byType("aws_iam_role") {
		r.at = k
		role := res[k]
		s.Roles[r.str(role["name"])] = roleSummary{
			Description: r.str(role["description"]),
			AssumeRole:  policyErr(r.str(role["assume_role_policy"])),
		}
	}
	for _, k := range byType("aws_iam_role_policy") {
		r.at = k
		name := r.str(res[k]["role"])
		rs := s.Roles[name]
		rs.Statements = append(rs.Statements, policyErr(r.str(res[k]["policy"]))...)
		s.Roles[name] = rs
	}
	for _, k := range byType("aws_iam_role_policy_attachment") {
		r.at = k
		name := r.str(res[k]["role"])
		rs := s.Roles[name]
		rs.ManagedPolicies = sortedStrings(append(rs.ManagedPolicies, r.str(res[k]["policy_arn"])))
		s.Roles[name] = rs
	}

	for _, k := range byType("aws_apigatewayv2_api") {
		r.at = k
		a := res[k]
		s.API = apiSummary{Name: r.str(a["name"]), Description: r.str(a["description"]), Protocol: r.str(a["protocol_type"]), RouteSelection: r.str(a["route_selection_expression"])}
	}
	for _, k := range byType("aws_apigatewayv2_model") {
		r.at = k
		m := res[k]
		schema, err := compactJSON(m["schema"])
		if err != nil {
			r.fail("schema: %v", err)
		}
		s.Models[r.str(m["name"])] = modelSummary{Description: r.str(m["description"]), ContentType: r.str(m["content_type"]), Schema: schema}
	}

	// Routes, each with its integration, integration responses and route
	// responses, joined by the {ref:...} ids.
	integrations := map[string]integrationSummary{}
	for _, k := range byType("aws_apigatewayv2_integration") {
		r.at = k
		in := res[k]
		integrations["{ref:"+k+".id}"] = integrationSummary{
			Description:       r.str(in["description"]),
			Type:              r.str(in["integration_type"]),
			Method:            r.str(in["integration_method"]),
			URI:               r.str(in["integration_uri"]),
			Credentials:       r.str(in["credentials_arn"]),
			Passthrough:       r.str(in["passthrough_behavior"]),
			TimeoutMs:         r.int(in["timeout_milliseconds"]),
			Parameters:        r.strMap(in["request_parameters"]),
			TemplateSelection: r.str(in["template_selection_expression"]),
			Templates:         r.strMap(in["request_templates"]),
		}
	}
	for _, k := range byType("aws_apigatewayv2_integration_response") {
		r.at = k
		ir := res[k]
		id := r.str(ir["integration_id"])
		in, ok := integrations[id]
		if !ok {
			r.fail("integration %s not found", id)
			continue
		}
		if in.Responses == nil {
			in.Responses = map[string]integrationResponseSummary{}
		}
		in.Responses[r.str(ir["integration_response_key"])] = integrationResponseSummary{
			TemplateSelection: r.str(ir["template_selection_expression"]),
			Templates:         r.strMap(ir["response_templates"]),
		}
		integrations[id] = in
	}
	routeResponses := map[string][]string{}
	for _, k := range byType("aws_apigatewayv2_route_response") {
		r.at = k
		id := r.str(res[k]["route_id"])
		routeResponses[id] = sortedStrings(append(routeResponses[id], r.str(res[k]["route_response_key"])))
	}
	for _, k := range byType("aws_apigatewayv2_route") {
		r.at = k
		rt := res[k]
		auth := r.str(rt["authorization_type"])
		if auth == "" {
			auth = "NONE"
		}
		target := r.str(rt["target"])
		in, ok := integrations[strings.TrimPrefix(target, "integrations/")]
		if !ok {
			r.fail("target %q is not an integration", target)
		}
		s.Routes[r.str(rt["route_key"])] = routeSummary{
			Auth:                   auth,
			Operation:              r.str(rt["operation_name"]),
			ModelSelection:         r.str(rt["model_selection_expression"]),
			Models:                 r.strMap(rt["request_models"]),
			RouteResponseSelection: r.str(rt["route_response_selection_expression"]),
			RouteResponses:         routeResponses["{ref:"+k+".id}"],
			Integration:            in,
		}
	}

	for _, k := range byType("aws_apigatewayv2_stage") {
		r.at = k
		st := res[k]
		rs := block(st, "default_route_settings")
		al := block(st, "access_log_settings")
		s.Stage = stageSummary{
			Name:                 r.str(st["name"]),
			Description:          r.str(st["description"]),
			AutoDeploy:           r.bool(st["auto_deploy"]),
			Burst:                r.int(rs["throttling_burst_limit"]),
			Rate:                 r.num(rs["throttling_rate_limit"]),
			DetailedMetrics:      r.bool(rs["detailed_metrics_enabled"]),
			DataTrace:            r.bool(rs["data_trace_enabled"]),
			LoggingLevel:         r.str(rs["logging_level"]),
			AccessLogDestination: r.str(al["destination_arn"]),
			AccessLogFormat:      r.str(al["format"]),
			Variables:            r.strMap(st["stage_variables"]),
		}
	}

	for _, k := range byType("aws_cloudwatch_log_group") {
		r.at = k
		s.LogGroups[r.str(res[k]["name"])] = r.int(res[k]["retention_in_days"])
	}

	for _, k := range byType("aws_cloudwatch_metric_alarm") {
		r.at = k
		a := res[k]
		s.Alarms[r.str(a["alarm_name"])] = alarmSummary{
			Description:       r.str(a["alarm_description"]),
			Namespace:         r.str(a["namespace"]),
			Metric:            r.str(a["metric_name"]),
			Statistic:         r.str(a["statistic"]),
			Period:            r.int(a["period"]),
			EvaluationPeriods: r.int(a["evaluation_periods"]),
			Comparison:        r.str(a["comparison_operator"]),
			Threshold:         r.num(a["threshold"]),
			MissingData:       r.str(a["treat_missing_data"]),
			Dimensions:        r.strMap(a["dimensions"]),
			Actions:           sortedStrings(r.strs(a["alarm_actions"])),
			OKActions:         sortedStrings(r.strs(a["ok_actions"])),
		}
	}

	for _, k := range byType("aws_dynamodb_table") {
		r.at = k
		t := res[k]
		ts := tableSummary{
			BillingMode:  r.str(t["billing_mode"]),
			HashKey:      r.str(t["hash_key"]),
			TTLAttribute: r.str(block(t, "ttl")["attribute_name"]),
			TTLEnabled:   r.bool(block(t, "ttl")["enabled"]),
			PITR:         r.bool(block(t, "point_in_time_recovery")["enabled"]),
			SSE:          r.bool(block(t, "server_side_encryption")["enabled"]),
		}
		for _, a := range blocks(t, "attribute") {
			ts.Attributes = append(ts.Attributes, r.str(a["name"])+":"+r.str(a["type"]))
		}
		ts.Attributes = sortedStrings(ts.Attributes)
		s.Tables[r.str(t["name"])] = ts
	}

	for name, o := range c.outputs {
		r.at = "output." + name
		a, ok := o.body.Attributes["value"]
		if !ok {
			r.fail("no value")
			continue
		}
		v, err := c.eval(a.Expr, nil)
		if err != nil {
			r.fail("%v", err)
			continue
		}
		g, err := ctyToGo(v)
		if err != nil {
			r.fail("%v", err)
		}
		s.Outputs = append(s.Outputs, r.str(g))
	}
	s.Outputs = sortedStrings(s.Outputs)
	sort.Slice(s.ESMs, func(i, j int) bool { return s.ESMs[i].Source < s.ESMs[j].Source })

	if len(r.errs) > 0 {
		return nil, fmt.Errorf("terraform summary:\n  %s", strings.Join(r.errs, "\n  "))
	}
	return s, nil
}

// ---------------------------------------------------------------------------
// CloudFormation (SAM YAML, and the JSON templates CDK synthesizes).
// ---------------------------------------------------------------------------

// cfnKinds maps CloudFormation resource types to neutral kinds and the
// property holding the resource's name.
var cfnKinds = map[string][2]string{
	"AWS::SQS::Queue":           {"queue", "QueueName"},
	"AWS::DynamoDB::Table":      {"table", "TableName"},
	"AWS::Logs::LogGroup":       {"loggroup", "LogGroupName"},
	"AWS::IAM::Role":            {"role", "RoleName"},
	"AWS::Lambda::Function":     {"function", "FunctionName"},
	"AWS::Serverless::Function": {"function", "FunctionName"},
	"AWS::ApiGatewayV2::Api":    {"api", "Name"},
	"AWS::ApiGatewayV2::Stage":  {"stage", "StageName"},
	"AWS::ApiGatewayV2::Model":  {"model", "Name"},
}

// cfnRef is what Ref returns, per kind; cfnGetAtt maps attribute names.
var (
	cfnRef = map[string]string{
		"queue": "url", "table": "name", "loggroup": "name", "role": "name",
		"function": "name", "api": "id", "stage": "name", "model": "id",
	}
	cfnGetAtt = map[string]string{
		"QueueName": "name", "QueueUrl": "url", "Arn": "arn", "ApiEndpoint": "endpoint",
		"ApiId": "id", "ModelId": "id",
	}
)

type cfnTemplate struct {
	params     map[string]any
	conditions map[string]any
	resources  map[string]map[string]any
	outputs    map[string]any
	busy       map[string]bool
}

// noValue is what AWS::NoValue evaluates to; maps and lists drop it.
type noValue struct{}

// parseCFN reads a CloudFormation template in YAML (with short-form tags)
// or JSON.
func parseCFN(data []byte) (*cfnTemplate, error) {
	var root yaml.Node
	if err := yaml.Unmarshal(data, &root); err != nil {
		return nil, err
	}
	doc, err := yamlToGo(&root)
	if err != nil {
		return nil, err
	}
	m := obj(doc)
	t := &cfnTemplate{params: map[string]any{}, conditions: obj(m["Conditions"]), resources: map[string]map[string]any{}, outputs: obj(m["Outputs"]), busy: map[string]bool{}}
	for name, p := range obj(m["Parameters"]) {
		t.params[name] = obj(p)["Default"]
	}
	for id, r := range obj(m["Resources"]) {
		t.resources[id] = obj(r)
	}
	return t, nil
}

// yamlToGo converts a YAML node to plain values, turning CloudFormation's
// short-form tags (!Ref, !GetAtt, !Sub...) into their long forms.
func yamlToGo(n *yaml.Node) (any, error) {
	var v any
	switch n.Kind {
	case yaml.DocumentNode:
		if len(n.Content) == 0 {
			return nil, nil
		}
		return yamlToGo(n.Content[0])
	case yaml.AliasNode:
		return yamlToGo(n.Alias)
	case yaml.MappingNode:
		m := map[string]any{}
		for i := 0; i+1 < len(n.Content); i += 2 {
			val, err := yamlToGo(n.Content[i+1])
			if err != nil {
				return nil, err
			}
			m[n.Content[i].Value] = val
		}
		v = m
	case yaml.SequenceNode:
		l := []any{}
		for _, c := range n.Content {
			val, err := yamlToGo(c)
			if err != nil {
				return nil, err
			}
			l = append(l, val)
		}
		v = l
	case yaml.ScalarNode:
		switch n.ShortTag() {
		case "!!int":
			i, err := strconv.Atoi(n.Value)
			if err != nil {
				return nil, err
			}
			v = i
		case "!!float":
			f, err := strconv.ParseFloat(n.Value, 64)
			if err != nil {
				return nil, err
			}
			v = f
		case "!!bool":
			v = n.Value == "true" || n.Value == "True" || n.Value == "TRUE"
		case "!!null":
			v = nil
		default:
			v = n.Value
		}
	}
	tag := n.Tag
	if !strings.HasPrefix(tag, "!") || strings.HasPrefix(tag, "!!") {
		return v, nil
	}
	name := strings.TrimPrefix(tag, "!")
	switch name {
	case "Ref", "Condition":
		return map[string]any{name: v}, nil
	case "GetAtt":
		if s, ok := v.(string); ok {
			id, attr, _ := strings.Cut(s, ".")
			v = []any{id, attr}
		}
	}
	return map[string]any{"Fn::" + name: v}, nil
}

func (t *cfnTemplate) condition(name string) (bool, error) {
	c, ok := t.conditions[name]
	if !ok {
		return false, fmt.Errorf("undeclared condition %s", name)
	}
	v, err := t.eval(c)
	if err != nil {
		return false, err
	}
	b, ok := v.(bool)
	if !ok {
		return false, fmt.Errorf("condition %s is %T", name, v)
	}
	return b, nil
}

// eval resolves the intrinsic functions in v.
func (t *cfnTemplate) eval(v any) (any, error) {
	switch x := v.(type) {
	case []any:
		out := []any{}
		for _, e := range x {
			ev, err := t.eval(e)
			if err != nil {
				return nil, err
			}
			if _, skip := ev.(noValue); !skip {
				out = append(out, ev)
			}
		}
		return out, nil
	case map[string]any:
		if len(x) == 1 {
			for k, arg := range x {
				if k == "Ref" || k == "Condition" || strings.HasPrefix(k, "Fn::") {
					return t.intrinsic(k, arg)
				}
			}
		}
		out := map[string]any{}
		for k, e := range x {
			ev, err := t.eval(e)
			if err != nil {
				return nil, fmt.Errorf("%s: %w", k, err)
			}
			if _, skip := ev.(noValue); !skip {
				out[k] = ev
			}
		}
		return out, nil
	}
	return v, nil
}

func (t *cfnTemplate) intrinsic(fn string, arg any) (any, error) {
	switch fn {
	case "Ref":
		return t.ref(fmt.Sprint(arg))
	case "Condition":
		return t.condition(fmt.Sprint(arg))
	case "Fn::GetAtt":
		l := list(arg)
		if len(l) != 2 {
			return nil, fmt.Errorf("Fn::GetAtt %v", arg)
		}
		return t.getAtt(fmt.Sprint(l[0]), fmt.Sprint(l[1]))
	case "Fn::Sub":
		return t.sub(arg)
	case "Fn::Join":
		l := list(arg)
		if len(l) != 2 {
			return nil, fmt.Errorf("Fn::Join %v", arg)
		}
		parts, err := t.eval(l[1])
		if err != nil {
			return nil, err
		}
		var ss []string
		for _, p := range list(parts) {
			ss = append(ss, fmt.Sprint(p))
		}
		return strings.Join(ss, fmt.Sprint(l[0])), nil
	case "Fn::Select":
		l := list(arg)
		if len(l) != 2 {
			return nil, fmt.Errorf("Fn::Select %v", arg)
		}
		i, err := t.eval(l[0])
		if err != nil {
			return nil, err
		}
		from, err := t.eval(l[1])
		if err != nil {
			return nil, err
		}
		n, err := strconv.Atoi(fmt.Sprint(i))
		if err != nil || n < 0 || n >= len(list(from)) {
			return nil, fmt.Errorf("Fn::Select index %v", i)
		}
		return list(from)[n], nil
	case "Fn::Split":
		l := list(arg)
		if len(l) != 2 {
			return nil, fmt.Errorf("Fn::Split %v", arg)
		}
		s, err := t.eval(l[1])
		if err != nil {
			return nil, err
		}
		var out []any
		for _, p := range strings.Split(fmt.Sprint(s), fmt.Sprint(l[0])) {
			out = append(out, p)
		}
		return out, nil
	case "Fn::If":
		l := list(arg)
		if len(l) != 3 {
			return nil, fmt.Errorf("Fn::If %v", arg)
		}
		ok, err := t.condition(fmt.Sprint(l[0]))
		if err != nil {
			return nil, err
		}
		if ok {
			return t.eval(l[1])
		}
		return t.eval(l[2])
	case "Fn::Equals":
		l := list(arg)
		if len(l) != 2 {
			return nil, fmt.Errorf("Fn::Equals %v", arg)
		}
		a, err := t.eval(l[0])
		if err != nil {
			return nil, err
		}
		b, err := t.eval(l[1])
		if err != nil {
			return nil, err
		}
		return fmt.Sprint(a) == fmt.Sprint(b), nil
	case "Fn::Not", "Fn::And", "Fn::Or":
		var vals []bool
		for _, e := range list(arg) {
			ev, err := t.eval(e)
			if err != nil {
				return nil, err
			}
			b, ok := ev.(bool)
			if !ok {
				return nil, fmt.Errorf("%s of %T", fn, ev)
			}
			vals = append(vals, b)
		}
		switch fn {
		case "Fn::Not":
			if len(vals) != 1 {
				return nil, fmt.Errorf("Fn::Not takes one condition")
			}
			return !vals[0], nil
		case "Fn::And":
			for _, b := range vals {
				if !b {
					return false, nil
				}
			}
			return true, nil
		default:
			for _, b := range vals {
				if b {
					return true, nil
				}
			}
			return false, nil
		}
	}
	return nil, fmt.Errorf("%s is not understood by the parity test", fn)
}

func (t *cfnTemplate) ref(name string) (any, error) {
	switch name {
	case "AWS::Partition":
		return "{partition}", nil
	case "AWS::Region":
		return "{region}", nil
	case "AWS::AccountId":
		return "{account}", nil
	case "AWS::URLSuffix":
		return "{dns_suffix}", nil
	case "AWS::NoValue":
		return noValue{}, nil
	}
	if p, ok := t.params[name]; ok {
		return p, nil
	}
	r, ok := t.resources[name]
	if !ok {
		return nil, fmt.Errorf("Ref to undeclared %s", name)
	}
	kind := cfnKinds[fmt.Sprint(r["Type"])][0]
	if attr, ok := cfnRef[kind]; ok {
		return t.attr(name, kind, attr)
	}
	return "{ref:" + name + "}", nil
}

func (t *cfnTemplate) getAtt(id, attr string) (any, error) {
	r, ok := t.resources[id]
	if !ok {
		return nil, fmt.Errorf("GetAtt of undeclared %s", id)
	}
	kind := cfnKinds[fmt.Sprint(r["Type"])][0]
	neutral, ok := cfnGetAtt[attr]
	if !ok || kind == "" {
		return "{ref:" + id + "." + attr + "}", nil
	}
	v, err := t.attr(id, kind, neutral)
	if err != nil {
		return nil, err
	}
	if kind == "loggroup" && neutral == "arn" {
		// A log group's Arn attribute names its streams.
		return fmt.Sprint(v) + ":*", nil
	}
	return v, nil
}

func (t *cfnTemplate) attr(id, kind, neutral string) (any, error) {
	key := id + "." + neutral
	if t.busy[key] {
		return nil, fmt.Errorf("cycle at %s", key)
	}
	t.busy[key] = true
	defer delete(t.busy, key)
	props := obj(t.resources[id]["Properties"])
	nameV, err := t.eval(props[cfnKinds[fmt.Sprint(t.resources[id]["Type"])][1]])
	if err != nil {
		return nil, err
	}
	name := fmt.Sprint(nameV)
	if nameV == nil {
		name = "{name:" + id + "}"
	}
	v, ok := refValue(kind, name, neutral, "")
	if !ok {
		return "{ref:" + id + "." + neutral + "}", nil
	}
	return v, nil
}

var subVar = regexp.MustCompile(`\$\{([^}]*)\}`)

func (t *cfnTemplate) sub(arg any) (any, error) {
	var text string
	local := map[string]any{}
	switch x := arg.(type) {
	case string:
		text = x
	case []any:
		if len(x) != 2 {
			return nil, fmt.Errorf("Fn::Sub %v", arg)
		}
		text = fmt.Sprint(x[0])
		for k, e := range obj(x[1]) {
			ev, err := t.eval(e)
			if err != nil {
				return nil, err
			}
			local[k] = ev
		}
	default:
		return nil, fmt.Errorf("Fn::Sub of %T", arg)
	}
	var err error
	out := subVar.ReplaceAllStringFunc(text, func(m string) string {
		name := m[2 : len(m)-1]
		if strings.HasPrefix(name, "!") {
			return "${" + name[1:] + "}"
		}
		var v any
		var e error
		if lv, ok := local[name]; ok {
			v = lv
		} else if id, attr, ok := strings.Cut(name, "."); ok && !strings.HasPrefix(name, "AWS::") {
			v, e = t.getAtt(id, attr)
		} else {
			v, e = t.ref(name)
		}
		if e != nil && err == nil {
			err = e
		}
		return fmt.Sprint(v)
	})
	return out, err
}

// cfnStatements normalises an IAM policy document.
func cfnStatements(doc map[string]any) ([]statementSummary, error) {
	r := &reader{at: "policy"}
	var out []statementSummary
	for _, st := range list(doc["Statement"]) {
		m := obj(st)
		s := statementSummary{
			Sid:       r.str(m["Sid"]),
			Effect:    r.str(m["Effect"]),
			Actions:   sortedStrings(r.strs(m["Action"])),
			Resources: sortedStrings(r.strs(m["Resource"])),
		}
		switch p := m["Principal"].(type) {
		case nil:
		case string:
			s.Principals = []string{p}
		case map[string]any:
			for typ, ids := range p {
				for _, id := range r.strs(ids) {
					s.Principals = append(s.Principals, typ+":"+id)
				}
			}
		}
		s.Principals = sortedStrings(s.Principals)
		for test, vars := range obj(m["Condition"]) {
			for variable, vals := range obj(vars) {
				s.Conditions = append(s.Conditions, test+" "+variable+"="+strings.Join(sortedStrings(r.strs(vals)), ","))
			}
		}
		s.Conditions = sortedStrings(s.Conditions)
		out = append(out, s)
	}
	if len(r.errs) > 0 {
		return nil, fmt.Errorf("%s", strings.Join(r.errs, "; "))
	}
	return out, nil
}

// cloudFormationSummary extracts the summary from a CloudFormation or SAM
// template. Resources whose Condition is false with the default parameters
// are left out.
func cloudFormationSummary(data []byte) (*infraSummary, error) {
	t, err := parseCFN(data)
	if err != nil {
		return nil, err
	}
	res := map[string]map[string]any{} // id -> evaluated properties
	types := map[string]string{}
	for id, r := range t.resources {
		if c, ok := r["Condition"]; ok {
			on, err := t.condition(fmt.Sprint(c))
			if err != nil {
				return nil, fmt.Errorf("%s: %w", id, err)
			}
			if !on {
				continue
			}
		}
		props, err := t.eval(obj(r["Properties"]))
		if err != nil {
			return nil, fmt.Errorf("%s: %w", id, err)
		}
		res[id] = obj(props)
		types[id] = fmt.Sprint(r["Type"])
	}
	byType := func(typ ...string) []string {
		var ids []string
		for id, ty := range types {
			for _, want := range typ {
				if ty == want {
					ids = append(ids, id)
				}
			}
		}
		sort.Strings(ids)
		return ids
	}
	r := &reader{}
	s := &infraSummary{
		Queues: map[string]queueSummary{}, Functions: map[string]functionSummary{},
		Roles: map[string]roleSummary{}, Routes: map[string]routeSummary{},
		Models: map[string]modelSummary{}, LogGroups: map[string]int{},
		Alarms: map[string]alarmSummary{}, Tables: map[string]tableSummary{},
	}
	jsonDoc := func(v any) map[string]any {
		if str, ok := v.(string); ok {
			var doc map[string]any
			if err := json.Unmarshal([]byte(str), &doc); err != nil {
				r.fail("%v", err)
			}
			return doc
		}
		return obj(v)
	}
	statements := func(v any) []statementSummary {
		st, err := cfnStatements(jsonDoc(v))
		if err != nil {
			r.fail("%v", err)
		}
		return st
	}

	queueByURL := map[string]string{}
	for _, id := range byType("AWS::SQS::Queue") {
		r.at = id
		q := res[id]
		name := r.str(q["QueueName"])
		url, _ := refValue("queue", name, "url", "")
		queueByURL[url] = name
		qs := queueSummary{
			FIFO:              r.bool(q["FifoQueue"]),
			ContentDedup:      r.bool(q["ContentBasedDeduplication"]),
			DedupScope:        r.str(q["DeduplicationScope"]),
			ThroughputLimit:   r.str(q["FifoThroughputLimit"]),
			VisibilityTimeout: r.int(q["VisibilityTimeout"]),
			Retention:         r.int(q["MessageRetentionPeriod"]),
			SSE:               r.bool(q["SqsManagedSseEnabled"]),
		}
		if rp, ok := q["RedrivePolicy"]; ok {
			doc := jsonDoc(rp)
			qs.DeadLetterTarget = r.str(doc["deadLetterTargetArn"])
			qs.MaxReceiveCount = r.int(doc["maxReceiveCount"])
		}
		if ra, ok := q["RedriveAllowPolicy"]; ok {
			doc := jsonDoc(ra)
			qs.RedrivePermission = r.str(doc["redrivePermission"])
			qs.RedriveSources = sortedStrings(r.strs(doc["sourceQueueArns"]))
		}
		s.Queues[name] = qs
	}
	for _, id := range byType("AWS::SQS::QueuePolicy") {
		r.at = id
		for _, u := range r.strs(res[id]["Queues"]) {
			name, ok := queueByURL[u]
			if !ok {
				r.fail("queue %s not found", u)
			}
			qs := s.Queues[name]
			qs.Policy = append(qs.Policy, statements(res[id]["PolicyDocument"])...)
			s.Queues[name] = qs
		}
	}

	for _, id := range byType("AWS::Lambda::EventSourceMapping") {
		r.at = id
		e := res[id]
		s.ESMs = append(s.ESMs, esmSummary{
			Source:        r.str(e["EventSourceArn"]),
			Function:      r.str(e["FunctionName"]),
			BatchSize:     r.int(e["BatchSize"]),
			Window:        r.int(e["MaximumBatchingWindowInSeconds"]),
			ResponseTypes: sortedStrings(r.strs(e["FunctionResponseTypes"])),
		})
	}

	for _, id := range byType("AWS::Lambda::Function", "AWS::Serverless::Function") {
		r.at = id
		f := res[id]
		lc := obj(f["LoggingConfig"])
		fs := functionSummary{
			Description:    r.str(f["Description"]),
			Runtime:        r.str(f["Runtime"]),
			Handler:        r.str(f["Handler"]),
			Architectures:  r.strs(f["Architectures"]),
			Timeout:        r.int(f["Timeout"]),
			Memory:         r.int(f["MemorySize"]),
			Role:           r.str(f["Role"]),
			Env:            r.strMap(obj(f["Environment"])["Variables"]),
			LogFormat:      r.str(lc["LogFormat"]),
			LogGroup:       r.str(lc["LogGroup"]),
			AppLogLevel:    r.str(lc["ApplicationLogLevel"]),
			SystemLogLevel: r.str(lc["SystemLogLevel"]),
		}
		if types[id] == "AWS::Serverless::Function" {
			fs.Tracing = r.str(f["Tracing"])
			fs.Package = path.Clean(r.str(f["CodeUri"]))
		} else {
			fs.Tracing = r.str(obj(f["TracingConfig"])["Mode"])
			// Synthesized templates name an uploaded asset; the parity
			// test then compares everything but the package.
			fs.Package = "{asset}"
		}
		if len(fs.Architectures) == 0 {
			fs.Architectures = []string{"x86_64"}
		}
		s.Functions[r.str(f["FunctionName"])] = fs
	}

	for _, id := range byType("AWS::IAM::Role") {
		r.at = id
		role := res[id]
		rs := roleSummary{
			Description:     r.str(role["Description"]),
			AssumeRole:      statements(role["AssumeRolePolicyDocument"]),
			ManagedPolicies: sortedStrings(r.strs(role["ManagedPolicyArns"])),
		}
		for _, p := range list(role["Policies"]) {
			rs.Statements = append(rs.Statements, statements(obj(p)["PolicyDocument"])...)
		}
		s.Roles[r.str(role["RoleName"])] = rs
	}
	for _, id := range byType("AWS::IAM::Policy", "AWS::IAM::RolePolicy") {
		r.at = id
		p := res[id]
		roles := r.strs(p["Roles"])
		if rn := r.str(p["RoleName"]); rn != "" {
			roles = append(roles, rn)
		}
		for _, name := range roles {
			rs := s.Roles[name]
			rs.Statements = append(rs.Statements, statements(p["PolicyDocument"])...)
			s.Roles[name] = rs
		}
	}

	for _, id := range byType("AWS::ApiGatewayV2::Api") {
		r.at = id
		a := res[id]
		s.API = apiSummary{Name: r.str(a["Name"]), Description: r.str(a["Description"]), Protocol: r.str(a["ProtocolType"]), RouteSelection: r.str(a["RouteSelectionExpression"])}
	}
	for _, id := range byType("AWS::ApiGatewayV2::Model") {
		r.at = id
		m := res[id]
		schema, err := compactJSON(m["Schema"])
		if err != nil {
			r.fail("Schema: %v", err)
		}
		s.Models[r.str(m["Name"])] = modelSummary{Description: r.str(m["Description"]), ContentType: r.str(m["ContentType"]), Schema: schema}
	}

	integrations := map[string]integrationSummary{}
	for _, id := range byType("AWS::ApiGatewayV2::Integration") {
		r.at = id
		in := res[id]
		integrations["{ref:"+id+"}"] = integrationSummary{
			Description:       r.str(in["Description"]),
			Type:              r.str(in["IntegrationType"]),
			Method:            r.str(in["IntegrationMethod"]),
			URI:               r.str(in["IntegrationUri"]),
			Credentials:       r.str(in["CredentialsArn"]),
			Passthrough:       r.str(in["PassthroughBehavior"]),
			TimeoutMs:         r.int(in["TimeoutInMillis"]),
			Parameters:        r.strMap(in["RequestParameters"]),
			TemplateSelection: r.str(in["TemplateSelectionExpression"]),
			Templates:         r.strMap(in["RequestTemplates"]),
		}
	}
	for _, id := range byType("AWS::ApiGatewayV2::IntegrationResponse") {
		r.at = id
		ir := res[id]
		iid := r.str(ir["IntegrationId"])
		in, ok := integrations[iid]
		if !ok {
			r.fail("integration %s not found", iid)
			continue
		}
		if in.Responses == nil {
			in.Responses = map[string]integrationResponseSummary{}
		}
		in.Responses[r.str(ir["IntegrationResponseKey"])] = integrationResponseSummary{
			TemplateSelection: r.str(ir["TemplateSelectionExpression"]),
			Templates:         r.strMap(ir["ResponseTemplates"]),
		}
		integrations[iid] = in
	}
	routeResponses := map[string][]string{}
	for _, id := range byType("AWS::ApiGatewayV2::RouteResponse") {
		r.at = id
		rid := r.str(res[id]["RouteId"])
		routeResponses[rid] = sortedStrings(append(routeResponses[rid], r.str(res[id]["RouteResponseKey"])))
	}
	for _, id := range byType("AWS::ApiGatewayV2::Route") {
		r.at = id
		rt := res[id]
		auth := r.str(rt["AuthorizationType"])
		if auth == "" {
			auth = "NONE"
		}
		target := r.str(rt["Target"])
		in, ok := integrations[strings.TrimPrefix(target, "integrations/")]
		if !ok {
			r.fail("target %q is not an integration", target)
		}
		s.Routes[r.str(rt["RouteKey"])] = routeSummary{
			Auth:                   auth,
			Operation:              r.str(rt["OperationName"]),
			ModelSelection:         r.str(rt["ModelSelectionExpression"]),
			Models:                 r.strMap(rt["RequestModels"]),
			RouteResponseSelection: r.str(rt["RouteResponseSelectionExpression"]),
			RouteResponses:         routeResponses["{ref:"+id+"}"],
			Integration:            in,
		}
	}

	for _, id := range byType("AWS::ApiGatewayV2::Stage") {
		r.at = id
		st := res[id]
		rs := obj(st["DefaultRouteSettings"])
		al := obj(st["AccessLogSettings"])
		s.Stage = stageSummary{
			Name:                 r.str(st["StageName"]),
			Description:          r.str(st["Description"]),
			AutoDeploy:           r.bool(st["AutoDeploy"]),
			Burst:                r.int(rs["ThrottlingBurstLimit"]),
			Rate:                 r.num(rs["ThrottlingRateLimit"]),
			DetailedMetrics:      r.bool(rs["DetailedMetricsEnabled"]),
			DataTrace:            r.bool(rs["DataTraceEnabled"]),
			LoggingLevel:         r.str(rs["LoggingLevel"]),
			AccessLogDestination: r.str(al["DestinationArn"]),
			AccessLogFormat:      r.str(al["Format"]),
			Variables:            r.strMap(st["StageVariables"]),
		}
	}

	for _, id := range byType("AWS::Logs::LogGroup") {
		r.at = id
		s.LogGroups[r.str(res[id]["LogGroupName"])] = r.int(res[id]["RetentionInDays"])
	}

	for _, id := range byType("AWS::CloudWatch::Alarm") {
		r.at = id
		a := res[id]
		dims := map[string]string{}
		for _, d := range list(a["Dimensions"]) {
			dims[r.str(obj(d)["Name"])] = r.str(obj(d)["Value"])
		}
		if len(dims) == 0 {
			dims = nil
		}
		s.Alarms[r.str(a["AlarmName"])] = alarmSummary{
			Description:       r.str(a["AlarmDescription"]),
			Namespace:         r.str(a["Namespace"]),
			Metric:            r.str(a["MetricName"]),
			Statistic:         r.str(a["Statistic"]),
			Period:            r.int(a["Period"]),
			EvaluationPeriods: r.int(a["EvaluationPeriods"]),
			Comparison:        r.str(a["ComparisonOperator"]),
			Threshold:         r.num(a["Threshold"]),
			MissingData:       r.str(a["TreatMissingData"]),
			Dimensions:        dims,
			Actions:           sortedStrings(r.strs(a["AlarmActions"])),
			OKActions:         sortedStrings(r.strs(a["OKActions"])),
		}
	}

	for _, id := range byType("AWS::DynamoDB::Table") {
		r.at = id
		t := res[id]
		ts := tableSummary{
			BillingMode:  r.str(t["BillingMode"]),
			TTLAttribute: r.str(obj(t["TimeToLiveSpecification"])["AttributeName"]),
			TTLEnabled:   r.bool(obj(t["TimeToLiveSpecification"])["Enabled"]),
			PITR:         r.bool(obj(t["PointInTimeRecoverySpecification"])["PointInTimeRecoveryEnabled"]),
			SSE:          r.bool(obj(t["SSESpecification"])["SSEEnabled"]),
		}
		for _, k := range list(t["KeySchema"]) {
			if r.str(obj(k)["KeyType"]) == "HASH" {
				ts.HashKey = r.str(obj(k)["AttributeName"])
			}
		}
		for _, a := range list(t["AttributeDefinitions"]) {
			ts.Attributes = append(ts.Attributes, r.str(obj(a)["AttributeName"])+":"+r.str(obj(a)["AttributeType"]))
		}
		ts.Attributes = sortedStrings(ts.Attributes)
		s.Tables[r.str(t["TableName"])] = ts
	}

	for name, o := range t.outputs {
		r.at = "Outputs." + name
		v, err := t.eval(obj(o)["Value"])
		if err != nil {
			r.fail("%v", err)
			continue
		}
		s.Outputs = append(s.Outputs, r.str(v))
	}
	s.Outputs = sortedStrings(s.Outputs)
	sort.Slice(s.ESMs, func(i, j int) bool { return s.ESMs[i].Source < s.ESMs[j].Source })

	if len(r.errs) > 0 {
		return nil, fmt.Errorf("cloudformation summary:\n  %s", strings.Join(r.errs, "\n  "))
	}
	return s, nil
}

// ---------------------------------------------------------------------------
// The tests.
// ---------------------------------------------------------------------------

// paritySets are the answer combinations compared across tools: every
// golden scenario's answers (whatever its own tool).
func paritySets() map[string]Answers { return scenariosWithIaC("terraform") }

// summaryFor renders the answers with one IaC tool and extracts its summary.
func summaryFor(t *testing.T, a Answers, iac string) *infraSummary {
	t.Helper()
	a.IaC = iac
	set, err := Render(a, goldenVersion)
	if err != nil {
		t.Fatal(err)
	}
	var s *infraSummary
	switch iac {
	case "terraform", "opentofu":
		s, err = terraformSummary(set, "terraform")
	case "sam":
		f, ok := set.Lookup("template.yaml")
		if !ok {
			t.Fatal("no template.yaml generated")
		}
		s, err = cloudFormationSummary(f.Data)
	case "cdk":
		// The synthesized template (cdk_test.go).
		s, err = cdkSummary(t, a)
	default:
		t.Fatalf("no extractor for --iac %s", iac)
	}
	if err != nil {
		t.Fatalf("--iac %s: %v", iac, err)
	}
	return s
}

func TestIaCParity(t *testing.T) {
	sets := paritySets()
	var names []string
	for n := range sets {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, name := range names {
		a := sets[name]
		t.Run(name, func(t *testing.T) {
			want := summaryFor(t, a, "terraform")
			checkSummary(t, a, want)
			for _, iac := range IaCs {
				if iac == "terraform" {
					continue
				}
				if iac == "cdk" && !cdkSynthesized(a) {
					// Synthesizing is slow: the cdk-* golden scenarios, one
					// per reply mode, are compared (cdk_test.go).
					continue
				}
				got := summaryFor(t, a, iac)
				if diff := cmp.Diff(want, got); diff != "" {
					t.Errorf("--iac %s deploys something else than --iac terraform (-terraform +%s):\n%s", iac, iac, diff)
				}
			}
		})
	}
}

// checkSummary holds the reference summary to the answers, so that the
// tools cannot agree on something wrong (or on nothing at all).
func checkSummary(t *testing.T, a Answers, s *infraSummary) {
	t.Helper()
	v := NewView(a, goldenVersion)
	queue := s.Queues[a.Name+"-queue"+v.QueueSuffix]
	dlq := s.Queues[a.Name+"-dlq"+v.QueueSuffix]
	if len(s.Queues) != 2 || queue.FIFO != v.FIFO || dlq.FIFO != v.FIFO {
		t.Errorf("queues: %+v", s.Queues)
	}
	if queue.VisibilityTimeout != v.VisibilityTimeout || queue.MaxReceiveCount != v.MaxReceiveCount || !queue.SSE || !dlq.SSE {
		t.Errorf("queue: %+v", queue)
	}
	if v.FIFO && (queue.ContentDedup != v.ContentDedup || queue.ThroughputLimit != "perMessageGroupId" || queue.DedupScope != "messageGroup") {
		t.Errorf("FIFO settings: %+v", queue)
	}
	dlqARN, _ := refValue("queue", a.Name+"-dlq"+v.QueueSuffix, "arn", "")
	if queue.DeadLetterTarget != dlqARN {
		t.Errorf("dead-letter target %q, want %q", queue.DeadLetterTarget, dlqARN)
	}
	if len(queue.Policy) != 1 || len(dlq.Policy) != 1 || queue.Policy[0].Effect != "Deny" {
		t.Errorf("queue policies: %+v / %+v", queue.Policy, dlq.Policy)
	}
	if len(s.ESMs) != 1 || s.ESMs[0].BatchSize != v.BatchSize || s.ESMs[0].Window != v.BatchWindow ||
		!cmp.Equal(s.ESMs[0].ResponseTypes, []string{"ReportBatchItemFailures"}) {
		t.Errorf("event source mappings: %+v", s.ESMs)
	}
	f, ok := s.Functions[a.Name+"-processor"]
	if !ok || f.Runtime != v.Runtime || !cmp.Equal(f.Architectures, []string{v.Arch}) || f.Timeout != v.Timeout || f.Memory != v.Memory || f.Tracing != "Active" {
		t.Errorf("function: %+v", s.Functions)
	}
	wantRoutes := []string{"$connect", "$default", "$disconnect"}
	var routes []string
	for k := range s.Routes {
		routes = append(routes, k)
	}
	if !cmp.Equal(sortedStrings(routes), wantRoutes) {
		t.Errorf("routes %v, want %v", routes, wantRoutes)
	}
	wantAuth := map[bool]string{true: "AWS_IAM", false: "NONE"}[v.IAMAuth]
	if got := s.Routes["$connect"].Auth; got != wantAuth {
		t.Errorf("$connect auth %s, want %s", got, wantAuth)
	}
	if got, want := s.Routes["$default"].Integration.Templates["$default"], strings.TrimRight(apiFileText(t, a, "sqs-request.vtl"), "\r\n"); got != want {
		t.Errorf("request template:\n got %q\nwant %q", got, want)
	}
	if got := len(s.Routes["$default"].Integration.Responses); (got > 0) != v.Ack {
		t.Errorf("$default integration responses: %d with ack=%v", got, v.Ack)
	}
	if (len(s.Tables) == 1) != v.Broadcast {
		t.Errorf("tables: %+v with reply %s", s.Tables, v.Reply)
	}
	if len(s.Roles) != 2 {
		t.Errorf("roles: want the integration and function roles, got %v", s.Roles)
	}
	for name, r := range s.Roles {
		for _, st := range r.Statements {
			for _, act := range st.Actions {
				if strings.Contains(act, "*") {
					t.Errorf("role %s: wildcard action %s", name, act)
				}
			}
		}
	}
}

// apiFileText returns the rendered api/ file, for checkSummary.
func apiFileText(t *testing.T, a Answers, name string) string {
	t.Helper()
	set, err := Render(a, goldenVersion)
	if err != nil {
		t.Fatal(err)
	}
	f, ok := set.Lookup("api/" + name)
	if !ok {
		t.Fatalf("api/%s not generated", name)
	}
	return string(f.Data)
}

// The extractors must see a difference: a SAM template with one setting
// changed no longer matches the Terraform summary.
func TestIaCParityCatchesDifferences(t *testing.T) {
	a := Defaults("myapp")
	want := summaryFor(t, a, "terraform")
	a.IaC = "sam"
	set, err := Render(a, goldenVersion)
	if err != nil {
		t.Fatal(err)
	}
	f, _ := set.Lookup("template.yaml")
	for _, c := range []struct{ what, old, new string }{
		{"batch size", "BatchSize: 10", "BatchSize: 9"},
		{"IAM action", "- sqs:DeleteMessage", "- sqs:DeleteMessageBatch"},
		{"request template", "MessageBody=$util.urlEncode($input.body)", "MessageBody=$input.body"},
		{"route auth", "AuthorizationType: NONE", "AuthorizationType: AWS_IAM"},
		{"IAM resource", "${AWS::AccountId}:${WebSocketApi}/${Stage}/POST/@connections/*", "${AWS::AccountId}:${WebSocketApi}/*/POST/@connections/*"},
	} {
		text := string(f.Data)
		if !strings.Contains(text, c.old) {
			t.Fatalf("%s: %q not in template.yaml", c.what, c.old)
		}
		got, err := cloudFormationSummary([]byte(strings.Replace(text, c.old, c.new, 1)))
		if err != nil {
			t.Fatalf("%s: %v", c.what, err)
		}
		if cmp.Equal(want, got) {
			t.Errorf("%s changed in template.yaml, but the parity summaries are still equal", c.what)
		}
	}
}

// The CloudFormation extractor reads JSON templates with long-form
// intrinsics (as CDK synthesizes them) the same as YAML with short forms.
func TestCloudFormationExtractorReadsJSON(t *testing.T) {
	a := Defaults("myapp")
	a.IaC = "sam"
	set, err := Render(a, goldenVersion)
	if err != nil {
		t.Fatal(err)
	}
	f, _ := set.Lookup("template.yaml")
	fromYAML, err := cloudFormationSummary(f.Data)
	if err != nil {
		t.Fatal(err)
	}
	var root yaml.Node
	if err := yaml.Unmarshal(f.Data, &root); err != nil {
		t.Fatal(err)
	}
	doc, err := yamlToGo(&root)
	if err != nil {
		t.Fatal(err)
	}
	js, err := json.MarshalIndent(doc, "", " ")
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(js), "!Ref") || !strings.Contains(string(js), `"Fn::GetAtt"`) {
		t.Fatalf("JSON form still has short tags or lacks long forms")
	}
	fromJSON, err := cloudFormationSummary(js)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(fromYAML, fromJSON); diff != "" {
		t.Errorf("JSON and YAML forms differ:\n%s", diff)
	}
}
