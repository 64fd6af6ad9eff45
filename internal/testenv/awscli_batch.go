package testenv

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strings"
	"sync"
)

// The AWS CLI v1 is a Python program: each run of `aws` spends most of its
// time (a second of CPU or more on a busy machine) importing botocore and
// awscli before it sends one request. A test binary that runs the CLI many
// times instead keeps a few Python processes that have imported awscli once
// and run each command line through awscli's own driver, in a fresh driver
// and session each time (sharing only the parsed service models), with the
// caller's environment and separate
// standard output and error: the same parsing, request and output code as
// the `aws` program, without the start-up. A CLI that is not a Python
// script (v2, say) or whose driver cannot be loaded runs as a program.

// awsBatchScript reads one JSON request a line ({"args": [...], "env":
// {...}}) and answers each with one line {"rc", "stdout", "stderr"}.
const awsBatchScript = `
import io, json, os, sys
reply = sys.stdout
import awscli.clidriver
# awscli adds its own data directory to AWS_DATA_PATH when it is imported;
# every request's environment keeps it.
data_path = os.environ.get("AWS_DATA_PATH")
# The data loader (botocore's service models and awscli's own data, parsed
# once and cached) is the same for every driver of the process.
loader = None
reply.write(json.dumps({"ready": True}) + "\n")
reply.flush()
for line in sys.stdin:
    req = json.loads(line)
    os.environ.clear()
    os.environ.update(req["env"])
    if data_path is not None:
        os.environ["AWS_DATA_PATH"] = data_path
    sys.argv = ["aws"] + req["args"]  # argparse names the program after it
    out, err = io.StringIO(), io.StringIO()
    stdin = sys.stdin
    sys.stdin, sys.stdout, sys.stderr = io.StringIO(""), out, err
    try:
        driver = awscli.clidriver.create_clidriver()
        if loader is None:
            loader = driver.session.get_component("data_loader")
        else:
            driver.session.register_component("data_loader", loader)
        rc = driver.main(req["args"])
    except SystemExit as e:
        rc = e.code if isinstance(e.code, int) else (0 if e.code is None else 1)
    except BaseException as e:
        err.write("%s: %s\n" % (type(e).__name__, e))
        rc = 255
    finally:
        sys.stdin, sys.stdout, sys.stderr = stdin, reply, sys.__stderr__
    reply.write(json.dumps({"rc": rc or 0, "stdout": out.getvalue(), "stderr": err.getvalue()}) + "\n")
    reply.flush()
`

// awsBatch is one Python process running awsBatchScript.
type awsBatch struct {
	cmd *exec.Cmd
	in  io.WriteCloser
	out *bufio.Reader
}

type awsBatchRequest struct {
	Args []string          `json:"args"`
	Env  map[string]string `json:"env"`
}

type awsBatchReply struct {
	RC     int    `json:"rc"`
	Stdout string `json:"stdout"`
	Stderr string `json:"stderr"`
	Ready  bool   `json:"ready"`
}

// awsBatches holds the idle processes for each CLI program path, and the
// programs that cannot run batched.
var awsBatches struct {
	sync.Mutex
	idle   map[string][]*awsBatch
	broken map[string]bool
}

// pythonOf returns the interpreter command named on the first line of the
// script at path, or nil if it is not a Python script.
func pythonOf(path string) []string {
	f, err := os.Open(path)
	if err != nil {
		return nil
	}
	defer func() { _ = f.Close() }()
	line, err := bufio.NewReader(io.LimitReader(f, 512)).ReadString('\n')
	if err != nil || !strings.HasPrefix(line, "#!") || !strings.Contains(line, "python") {
		return nil
	}
	return strings.Fields(strings.TrimPrefix(line, "#!"))
}

// takeAWSBatch returns an idle batch process for the CLI at bin, starting
// one if none is idle, or nil when the CLI must run as a program.
func takeAWSBatch(bin string) *awsBatch {
	awsBatches.Lock()
	if awsBatches.broken[bin] {
		awsBatches.Unlock()
		return nil
	}
	if idle := awsBatches.idle[bin]; len(idle) > 0 {
		b := idle[len(idle)-1]
		awsBatches.idle[bin] = idle[:len(idle)-1]
		awsBatches.Unlock()
		return b
	}
	awsBatches.Unlock()
	b, err := startAWSBatch(bin)
	if err != nil {
		awsBatches.Lock()
		if awsBatches.broken == nil {
			awsBatches.broken = map[string]bool{}
		}
		awsBatches.broken[bin] = true
		awsBatches.Unlock()
		return nil
	}
	return b
}

// giveAWSBatch puts b back for the next command.
func giveAWSBatch(bin string, b *awsBatch) {
	awsBatches.Lock()
	defer awsBatches.Unlock()
	if awsBatches.idle == nil {
		awsBatches.idle = map[string][]*awsBatch{}
	}
	awsBatches.idle[bin] = append(awsBatches.idle[bin], b)
}

func startAWSBatch(bin string) (*awsBatch, error) {
	python := pythonOf(bin)
	if python == nil {
		return nil, fmt.Errorf("%s is not a Python script", bin)
	}
	cmd := exec.Command(python[0], append(python[1:], "-c", awsBatchScript)...)
	cmd.Env = os.Environ()
	in, err := cmd.StdinPipe()
	if err != nil {
		return nil, err
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	b := &awsBatch{cmd: cmd, in: in, out: bufio.NewReader(stdout)}
	var ready awsBatchReply
	if err := b.read(&ready); err != nil || !ready.Ready {
		b.stop()
		if err == nil {
			err = errors.New("no ready line")
		}
		return nil, fmt.Errorf("the AWS CLI driver did not load: %w %s", err, stderr.String())
	}
	// The process lives as long as the test binary: its standard input
	// closes with the binary, and it exits.
	return b, nil
}

func (b *awsBatch) read(into *awsBatchReply) error {
	line, err := b.out.ReadBytes('\n')
	if err != nil {
		return err
	}
	return json.Unmarshal(line, into)
}

func (b *awsBatch) stop() {
	_ = b.in.Close()
	_ = b.cmd.Process.Kill()
	_ = b.cmd.Wait()
}

// run runs one command line with env (KEY=VALUE entries). sent is false
// when the request could not be written (the command did not run); err is
// set when the process failed, which is then stopped.
func (b *awsBatch) run(args, env []string) (reply awsBatchReply, sent bool, err error) {
	req := awsBatchRequest{Args: args, Env: map[string]string{}}
	for _, kv := range env {
		k, v, _ := strings.Cut(kv, "=")
		req.Env[k] = v // later entries win, as with exec
	}
	line, err := json.Marshal(req)
	if err != nil {
		return reply, false, err
	}
	if _, err := b.in.Write(append(line, '\n')); err != nil {
		b.stop()
		return reply, false, err
	}
	if err := b.read(&reply); err != nil {
		b.stop()
		return reply, true, fmt.Errorf("the AWS CLI process ended during the command: %w", err)
	}
	return reply, true, nil
}

// runAWSCLI runs the AWS CLI at bin with args and env, batched when it can
// be, and returns its standard output and an error holding its standard
// error when it exits non-zero.
func runAWSCLI(bin string, args, env []string) (string, error) {
	if b := takeAWSBatch(bin); b != nil {
		reply, sent, err := b.run(args, env)
		switch {
		case err != nil && sent:
			return "", err // it may have run: running it again could do it twice
		case err == nil:
			giveAWSBatch(bin, b)
			if reply.RC != 0 {
				return reply.Stdout, fmt.Errorf("exit status %d: %s", reply.RC, reply.Stderr)
			}
			return reply.Stdout, nil
		}
	}
	return runAWSCLIProgram(bin, args, env)
}

// runAWSCLIProgram runs the AWS CLI at bin as a program of its own.
func runAWSCLIProgram(bin string, args, env []string) (string, error) {
	cmd := exec.Command(bin, args...)
	cmd.Env = env
	var stdout, stderr strings.Builder
	cmd.Stdout = &stdout
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		return stdout.String(), fmt.Errorf("%w: %s", err, stderr.String())
	}
	return stdout.String(), nil
}
