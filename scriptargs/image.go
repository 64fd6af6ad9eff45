package scriptargs

import (
	"fmt"
	"regexp"
	"strings"
	"sync"

	"github.com/ecsdeploy/ecsdeploy/exitcode"
	"github.com/ecsdeploy/ecsdeploy/taskdef"
)

// The script's image grammar, as its usage documents it:
// [domain][:port][/repo][/][image][:tag|@digest]. A name with a '/' starts
// with a domain (letters, digits, '.', '-') and an optional port; a name
// without one is a single word of letters, digits and '-'. A tag is letters,
// digits, '.', '_' and '-' after ':'; a digest is "@sha256:" and the same
// characters. (The script's own pattern also takes a tag without its ':', so
// that "my_app" would be image "my" with tag "_app"; the documented grammar
// is followed instead and such a name is refused.)
var (
	qualifiedImage = sync.OnceValue(func() *regexp.Regexp {
		return regexp.MustCompile(`^(?P<host>[A-Za-z0-9.-]+(?::[0-9]+)?)/(?P<path>[A-Za-z0-9._-]+(?:/[A-Za-z0-9._/-]+)?)(?P<ref>:[A-Za-z0-9._-]+|@sha256:[A-Za-z0-9._-]+)?$`)
	})
	rootImage = sync.OnceValue(func() *regexp.Regexp {
		return regexp.MustCompile(`^(?P<path>[A-Za-z0-9-]+)(?P<ref>:[A-Za-z0-9._-]+|@sha256:[A-Za-z0-9._-]+)?$`)
	})
	// With -to the image argument is not used; the script still refuses
	// one that is neither a bare tag nor a root image.
	tagOnlyImage = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^:?[A-Za-z0-9._-]*$`) })
)

// imageChanges applies the script's rules for -i, -e and -to:
//
//   - -to TAG (not empty) retags every container's image with TAG; -i and -e
//     are then not used (-i must still be a bare word, as the script checks);
//   - otherwise -i names an image; every container of the same repository
//     gets it. Its tag is the value of the environment variable named by -e
//     when that is set and not empty (replacing a tag or a digest in -i),
//     else the tag or digest written in -i, else "latest".
//
// It returns the image name the script would print and the changes.
func imageChanges(image, tagOnly, tagVar string, lookupEnv func(string) (string, bool)) (string, taskdef.Changes, error) {
	if tagOnly != "" {
		if !tagOnlyImage().MatchString(image) && !rootImage().MatchString(image) {
			return "", taskdef.Changes{}, unparsable(image)
		}
		return tagOnly, taskdef.Changes{TagOnly: &tagOnly, From: exitcode.Origins{"tagOnly": exitcode.FlagOrigin("-to/--tag-only")}}, nil
	}
	m := qualifiedImage().FindStringSubmatch(image)
	re := qualifiedImage()
	if m == nil {
		m = rootImage().FindStringSubmatch(image)
		re = rootImage()
	}
	if m == nil {
		return "", taskdef.Changes{}, unparsable(image)
	}
	name := m[re.SubexpIndex("path")]
	if i := re.SubexpIndex("host"); i >= 0 {
		name = m[i] + "/" + name
	}
	ref := m[re.SubexpIndex("ref")]
	tag, digest := strings.TrimPrefix(ref, ":"), ""
	if strings.HasPrefix(ref, "@") {
		tag, digest = "", ref
	}
	if tagVar != "" && lookupEnv != nil {
		if v, ok := lookupEnv(tagVar); ok && v != "" {
			tag, digest = v, ""
		}
	}
	use := name + digest
	if digest == "" {
		if tag == "" {
			tag = "latest"
		}
		use = name + ":" + tag
	}
	return use, taskdef.Changes{Images: []taskdef.ImageChange{{Image: use, From: exitcode.FlagOrigin("-i/--image", image)}}}, nil
}

func unparsable(image string) error {
	return &Error{Message: fmt.Sprintf("Unable to parse image name: %s, check the format and try again", image), ScriptStatus: 13}
}
