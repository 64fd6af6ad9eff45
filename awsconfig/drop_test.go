package awsconfig_test

import (
	"context"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/ecs"

	"github.com/ecsdeploy/ecsdeploy/awsconfig"
	"github.com/ecsdeploy/ecsdeploy/emulator"
	"github.com/ecsdeploy/ecsdeploy/emulator/scenario"
	"github.com/ecsdeploy/ecsdeploy/exitcode"
	"github.com/ecsdeploy/ecsdeploy/transient"
)

// A connection the local ECS drops is the same failure in-process as over a
// socket: a failure on the wire, retried, and once the retries are spent,
// exit code 4 either way.
func TestADroppedConnectionIsTheSameFailureInProcessAndOverASocket(t *testing.T) {
	em := emulator.New(emulator.Options{Clock: emulator.NewManualClock(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))})
	if err := em.SetScenario(&scenario.Scenario{Faults: []scenario.Fault{{Operation: "ListClusters", Kind: scenario.FaultDrop}}}); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(em)
	defer srv.Close()
	calls := func(o awsconfig.Options) (int, error) {
		o.Region, o.AccessKey, o.SecretKey, o.MaxAttempts = "us-east-1", "AK", "SK", 2
		counter := &awsconfig.CallCounter{}
		o.Calls = counter
		cfg, err := awsconfig.Load(context.Background(), o)
		if err != nil {
			t.Fatal(err)
		}
		_, err = ecs.NewFromConfig(cfg).ListClusters(context.Background(), &ecs.ListClustersInput{})
		return counter.Attempts(), err
	}
	inProcess, errIn := calls(awsconfig.Options{Handler: em})
	socket, errSock := calls(awsconfig.Options{EndpointURL: srv.URL})
	for name, err := range map[string]error{"in-process": errIn, "socket": errSock} {
		if err == nil {
			t.Fatalf("%s: the dropped call succeeded", name)
		}
		if !transient.Connection(err) {
			t.Errorf("%s: %v is not classified as a failure on the wire", name, err)
		}
		if code := exitcode.Of(err); code != exitcode.AWS {
			t.Errorf("%s: exit code %d for %v, want %d", name, code, err, exitcode.AWS)
		}
	}
	if inProcess != socket {
		t.Errorf("%d attempts in-process, %d over a socket: the same fault must be retried alike", inProcess, socket)
	}
}

func TestDroppedConnectionHeaderMatchesTheEmulator(t *testing.T) {
	if got := awsconfig.DroppedConnectionHeader(); got != emulator.DroppedConnectionHeader {
		t.Fatalf("awsconfig recognises %q, the emulator sends %q", got, emulator.DroppedConnectionHeader)
	}
}
