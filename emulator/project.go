package emulator

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"time"

	"github.com/wsqgen/wsqgen/generator"
)

// ProjectConfig reads a generated project's record and its tool-neutral API
// files and returns the emulator configuration they describe. Every value
// comes from the same View the IaC templates are rendered from, so the
// emulator runs what would be deployed; nothing is restated by hand.
// Function.Path is left empty: see BuildFunction.
func ProjectConfig(dir string) (Config, error) {
	rec, err := generator.ReadRecord(dir)
	if err != nil {
		return Config{}, err
	}
	v := generator.NewView(rec.Answers, rec.Version)
	read := func(rel string) (string, error) {
		data, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(rel)))
		if err != nil {
			return "", fmt.Errorf("emulator: the project's %s: %w", rel, err)
		}
		return string(data), nil
	}
	cfg := Config{
		Stage:                   v.StageName,
		QueueName:               v.Name + "-queue" + v.QueueSuffix,
		FIFO:                    v.FIFO,
		ContentDedup:            v.ContentDedup,
		VisibilityTimeout:       time.Duration(v.VisibilityTimeout) * time.Second,
		MaxReceiveCount:         v.MaxReceiveCount,
		BatchSize:               v.BatchSize,
		BatchWindow:             time.Duration(v.BatchWindow) * time.Second,
		FunctionTimeout:         time.Duration(v.Timeout) * time.Second,
		ReportBatchItemFailures: true, // every generated event source mapping sets it
		Broadcast:               v.Broadcast,
		Ack:                     v.Ack,
		Function:                FunctionSpec{Name: v.Name, MemoryMB: v.Memory, Concurrency: DefaultConcurrency},
	}
	if cfg.RequestTemplate, err = read(v.RequestTemplatePath); err != nil {
		return cfg, err
	}
	model, err := read(v.RequestModelPath)
	if err != nil {
		return cfg, err
	}
	cfg.RequestModel = []byte(model)
	if v.Ack {
		if cfg.AckTemplate, err = read(v.AckTemplatePath); err != nil {
			return cfg, err
		}
		if cfg.ErrorTemplate, err = read(v.ErrorTemplatePath); err != nil {
			return cfg, err
		}
	}
	return cfg, nil
}

// BuildFunction builds the project's function for this machine (not for
// Lambda's architecture: it runs here) into outDir and returns the path of
// the bootstrap executable.
func BuildFunction(ctx context.Context, dir, outDir string) (string, error) {
	out, err := filepath.Abs(filepath.Join(outDir, "bootstrap"))
	if err != nil {
		return "", err
	}
	cmd := exec.CommandContext(ctx, "go", "build", "-tags", "lambda.norpc", "-o", out, "./lambda")
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0", "GOWORK=off")
	if msg, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("emulator: build the function in %s: %v\n%s", dir, err, msg)
	}
	return out, nil
}
