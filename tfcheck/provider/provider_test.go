package main

import (
	"context"
	"os"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
)

func testServer(t *testing.T) *server {
	t.Helper()
	raw, err := os.ReadFile("../testdata/aws-schema.json")
	if err != nil {
		t.Fatal(err)
	}
	l, err := loadSchema(raw, "aws")
	if err != nil {
		t.Fatal(err)
	}
	return &server{s: l}
}

func attr(s *tfprotov6.Schema, name string) *tfprotov6.SchemaAttribute {
	for _, a := range s.Block.Attributes {
		if a.Name == name {
			return a
		}
	}
	return nil
}

func TestSchemaServesTheRealShape(t *testing.T) {
	p := testServer(t)
	resp, err := p.GetProviderSchema(context.Background(), &tfprotov6.GetProviderSchemaRequest{})
	if err != nil {
		t.Fatal(err)
	}
	q := resp.ResourceSchemas["aws_sqs_queue"]
	if q == nil {
		t.Fatal("aws_sqs_queue missing")
	}
	if a := attr(q, "arn"); a == nil || !a.Computed || a.Optional || a.Required {
		t.Errorf("aws_sqs_queue.arn should be computed-only: %+v", a)
	}
	if a := attr(q, "visibility_timeout_seconds"); a == nil || !a.Optional || !a.Type.Is(tftypes.Number) {
		t.Errorf("aws_sqs_queue.visibility_timeout_seconds should be an optional number: %+v", a)
	}
	esm := resp.ResourceSchemas["aws_lambda_event_source_mapping"]
	if a := attr(esm, "function_name"); a == nil || !a.Required {
		t.Errorf("function_name should be required: %+v", a)
	}
	if a := attr(esm, "function_response_types"); a == nil || !a.Type.Is(tftypes.Set{ElementType: tftypes.String}) {
		t.Errorf("function_response_types should be a set of string: %+v", a)
	}
	if resp.DataSourceSchemas["aws_iam_policy_document"] == nil || resp.Provider == nil {
		t.Error("policy document data source or provider schema missing")
	}
}

func TestPlanMarksUnsetComputedUnknown(t *testing.T) {
	p := testServer(t)
	typ := p.s.resources["aws_sqs_queue"].Block.objectType()
	vals := map[string]tftypes.Value{}
	for name, at := range typ.AttributeTypes {
		vals[name] = tftypes.NewValue(at, nil)
	}
	vals["name"] = tftypes.NewValue(tftypes.String, "q")
	proposed, err := tfprotov6.NewDynamicValue(typ, tftypes.NewValue(typ, vals))
	if err != nil {
		t.Fatal(err)
	}
	resp, err := p.PlanResourceChange(context.Background(), &tfprotov6.PlanResourceChangeRequest{
		TypeName: "aws_sqs_queue", ProposedNewState: &proposed, Config: &proposed,
	})
	if err != nil || len(resp.Diagnostics) > 0 {
		t.Fatal(err, resp.Diagnostics)
	}
	planned, err := resp.PlannedState.Unmarshal(typ)
	if err != nil {
		t.Fatal(err)
	}
	var got map[string]tftypes.Value
	if err := planned.As(&got); err != nil {
		t.Fatal(err)
	}
	if got["arn"].IsKnown() {
		t.Error("arn should be unknown after plan")
	}
	if !got["name"].Equal(tftypes.NewValue(tftypes.String, "q")) {
		t.Errorf("name should stay as configured, got %v", got["name"])
	}
	if !got["delay_seconds"].IsNull() {
		t.Error("an optional, non-computed attribute left unset stays null")
	}
}

func TestValidateRejectsComputedOnly(t *testing.T) {
	p := testServer(t)
	typ := p.s.resources["aws_sqs_queue"].Block.objectType()
	vals := map[string]tftypes.Value{}
	for name, at := range typ.AttributeTypes {
		vals[name] = tftypes.NewValue(at, nil)
	}
	vals["arn"] = tftypes.NewValue(tftypes.String, "arn:aws:sqs:eu-west-1:1:q")
	cfg, _ := tfprotov6.NewDynamicValue(typ, tftypes.NewValue(typ, vals))
	resp, _ := p.ValidateResourceConfig(context.Background(), &tfprotov6.ValidateResourceConfigRequest{TypeName: "aws_sqs_queue", Config: &cfg})
	if len(resp.Diagnostics) != 1 || !strings.Contains(resp.Diagnostics[0].Detail, `"arn"`) {
		t.Fatalf("want one diagnostic about arn, got %+v", resp.Diagnostics)
	}
}

func TestDataSourcesAreNotRead(t *testing.T) {
	p := testServer(t)
	resp, _ := p.ReadDataSource(context.Background(), &tfprotov6.ReadDataSourceRequest{TypeName: "aws_caller_identity"})
	if len(resp.Diagnostics) == 0 || resp.Diagnostics[0].Severity != tfprotov6.DiagnosticSeverityError {
		t.Fatal("reading a data source must fail: this provider reads nothing")
	}
}
