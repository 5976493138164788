package io.dialtone.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;
import java.util.List;

@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(value = SpecRules.ONE_RULE_KIND_RULE, message = SpecRules.ONE_RULE_KIND_MESSAGE)
public record DispatchRuleSpec(
        @JsonPropertyDescription("SipGateway this rule belongs to. May be left out when the namespace has one gateway.")
        String gatewayRef,

        @JsonPropertyDescription("A room of its own for every caller: <roomPrefix>_<caller>_<random>.")
        IndividualRule individual,

        @JsonPropertyDescription("Every caller into one fixed room.")
        DirectRule direct,

        @JsonPropertyDescription("A room per called number: <roomPrefix>_<called>.")
        CalleeRule callee,

        @Size(max = 1000)
        @JsonPropertyDescription("SipTrunks (by name) whose calls this rule takes. Empty: every trunk of the gateway. "
                + "A rule that names the trunk wins over rules that do not.")
        List<@Size(max = 253) String> trunkRefs,

        @Size(max = 1000)
        @JsonPropertyDescription("Caller numbers (From) this rule takes. Empty: any caller.")
        List<@Size(max = 32) @Pattern(SpecRules.PHONE_NUMBER) String> inboundNumbers,

        @Size(max = 1000)
        @JsonPropertyDescription("Called numbers (To) this rule takes. Empty: any called number.")
        List<@Size(max = 32) @Pattern(SpecRules.PHONE_NUMBER) String> numbers,

        @JsonPropertyDescription("Hide the caller's number from the room: the identity becomes a hash, the name keeps the "
                + "last four digits, and sip.phoneNumber is left out.")
        Boolean hidePhoneNumber,

        @JsonPropertyDescription("The participant the caller becomes.")
        ParticipantTemplate participant,

        @JsonPropertyDescription("Settings of the room the call joins: metadata, timeouts, agents.")
        RoomTemplate room) implements GatewayMember {

    public DispatchRuleSpec {
        trunkRefs = trunkRefs == null ? List.of() : List.copyOf(trunkRefs);
        inboundNumbers = inboundNumbers == null ? List.of() : List.copyOf(inboundNumbers);
        numbers = numbers == null ? List.of() : List.copyOf(numbers);
        hidePhoneNumber = Boolean.TRUE.equals(hidePhoneNumber);
        participant = participant == null ? ParticipantTemplate.EMPTY : participant;
        room = room == null ? RoomTemplate.EMPTY : room;
    }

    /** The one rule kind that is set; null only on a spec the schema would have refused. */
    @JsonIgnore
    public RuleKind kind() {
        if (individual != null) {
            return individual;
        }
        if (direct != null) {
            return direct;
        }
        return callee;
    }
}
