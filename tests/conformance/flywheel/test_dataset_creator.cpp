// SPDX-License-Identifier: Apache-2.0
// The NVIDIA Data Flywheel blueprint's tests/unit/lib/test_dataset_creator.py, ported to the
// training format in flywheel/blueprint.hpp (format_training_data for one record): same input,
// same expected values. See README.md in this folder.
#include <catch2/catch.hpp>

#include <cstddef>
#include <initializer_list>
#include <string>
#include <string_view>

#include <dial_analytics/flywheel/dataset.hpp>

#include "conformance/flywheel/records.hpp"
#include "flywheel/blueprint.hpp"
#include "flywheel/py_json_value.hpp"

namespace {

namespace fw = dial_analytics::flywheel;
namespace bp = dial_analytics::flywheel::blueprint;
namespace pyjson = dial_analytics::flywheel::pyjson;

using conformance::at;
using conformance::parse;

// The upstream test's record: a purchase-history conversation whose request history has an
// assistant tool call with content None and an assistant message with content "", flat-form
// tools, and a response tool call with content None.
constexpr std::string_view record_text = R"json(
{"request": {
   "messages": [
     {"role": "system", "content": "You are a highly intelligent chatbot designed to assist users with queries related to their purchase history. \nUse the necessary tools to fetch relevant information and answer the query based on that information. \nConsider only the current product when processing order status. Ensure that your inputs to the tools include the name of the current product.\nIf there is valid a tool output, provide a proper response to the query based on it. \nAlways rely on tool outputs to generate responses with complete accuracy. Do not hallucinate. \nIf insufficient evidence is available, respond formally stating that there is not enough information to provide an answer.\n\nThe current user id is: 125\nThe current product is: \n"},
     {"role": "user", "content": "Why was my GeForce Triangulation Tee order canceled?"},
     {"role": "assistant", "content": null,
      "tool_calls": [{"id": "chatcmpl-tool-9ba6aef98cbd430cbf4df8ad5ca4fdc5", "type": "function",
                      "function": {"name": "ToOrderStatusAssistant",
                                   "arguments": "{\"query\": \"Why was my GeForce Triangulation Tee order canceled?\", \"user_id\": \"125\"}"}}]},
     {"role": "tool", "content": "The assistant is now the Order Status Assistant. Reflect on the above conversation between the host assistant and the user. The user's intent is unsatisfied. Use the provided tools to assist the user. Remember, you are Order Status Assistant, and the booking, update, other other action is not complete until after you have successfully invoked the appropriate tool. If the user changes their mind or needs help for other tasks, let the primary host assistant take control. Do not mention who you are - just act as the proxy for the assistant.",
      "tool_call_id": "chatcmpl-tool-9ba6aef98cbd430cbf4df8ad5ca4fdc5"},
     {"role": "assistant", "content": ""}],
   "tools": [
     {"name": "ToOrderStatusAssistant",
      "description": "The assistant is now the Order Status Assistant. Reflect on the above conversation between the host assistant and the user. The user's intent is unsatisfied. Use the provided tools to assist the user. Remember, you are Order Status Assistant, and the booking, update, other other action is not complete until after you have successfully invoked the appropriate tool. If the user changes their mind or needs help for other tasks, let the primary host assistant take control. Do not mention who you are - just act as the proxy for the assistant."}]},
 "response": {
   "choices": [
     {"message": {"role": "assistant", "content": null,
                  "tool_calls": [{"id": "call_456", "type": "function",
                                  "function": {"name": "get_order_status",
                                               "arguments": "{\"product\": \"GeForce Triangulation Tee\", \"user_id\": \"125\"}"}}]}}]}})json";

}  // namespace

// blueprint test_convert_assistant_content_none_and_empty_string_replacement
TEST_CASE("training data gives assistant messages with null or empty content an empty string",
          "[flywheel][conformance]") {
  const pyjson::value record = parse(record_text);
  std::string out;
  REQUIRE(bp::format_training_record(record, fw::workload_type::tool_calling, out));
  if (!out.empty() && out.back() == '\n') out.pop_back();
  const pyjson::value result = parse(out);

  const pyjson::value& messages = at(result, {"messages"});
  REQUIRE(messages.items.size() == 6);

  // The request's assistant tool call with content None: content "", tool calls kept.
  CHECK(pyjson::dumps(at(result, {"messages", 2, "role"})) == R"("assistant")");
  CHECK(pyjson::dumps(at(result, {"messages", 2, "content"})) == R"("")");
  CHECK(messages.items[2].find("tool_calls") != nullptr);
  CHECK(pyjson::dumps(at(result, {"messages", 2, "tool_calls"})) ==
        pyjson::dumps(at(record, {"request", "messages", 2, "tool_calls"})));

  // The request's assistant message with content "": stays "".
  CHECK(pyjson::dumps(at(result, {"messages", 4, "role"})) == R"("assistant")");
  CHECK(pyjson::dumps(at(result, {"messages", 4, "content"})) == R"("")");

  // The response message (tool calling): content "", tool calls kept.
  CHECK(pyjson::dumps(at(result, {"messages", 5, "content"})) == R"("")");
  CHECK(messages.items[5].find("tool_calls") != nullptr);

  // The tools are copied, first in the line.
  CHECK(pyjson::dumps(at(result, {"tools"})) == pyjson::dumps(at(record, {"request", "tools"})));
  CHECK(out.rfind(R"({"tools": [{"name": "ToOrderStatusAssistant", )", 0) == 0);
}
